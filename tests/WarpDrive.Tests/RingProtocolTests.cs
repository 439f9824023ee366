using System.Runtime.InteropServices;
using WarpDrive.Abi;

namespace WarpDrive.Tests;

public sealed unsafe class RingProtocolTests : IDisposable
{
    private const int Depth = 8;
    private readonly nint _mem;
    private readonly QueueRegion _region;

    public RingProtocolTests()
    {
        _mem = (nint)NativeMemory.AlignedAlloc((nuint)RingLayout.RegionSize(Depth), 4096);
        _region = QueueRegion.Format(_mem, Depth, 0, 1);
    }

    public void Dispose() => NativeMemory.AlignedFree((void*)_mem);

    [Fact]
    public void SubmissionsArriveInOrderAcrossManyLaps()
    {
        var producer = new SubmissionProducer(_region);
        var consumer = new SubmissionConsumer(_region);
        ulong next = 0;
        for (ulong i = 0; i < 10_000; i++)
        {
            Assert.True(producer.TryPublish(new Sqe { UserData = i }));
            if (i % 3 == 2)
            {
                while (consumer.TryConsume(out Sqe sqe))
                {
                    Assert.Equal(next++, sqe.UserData);
                }
            }
        }

        while (consumer.TryConsume(out Sqe sqe))
        {
            Assert.Equal(next++, sqe.UserData);
        }

        Assert.Equal(10_000UL, next);
        Assert.Equal(10_000UL, _region.SqHead);
    }

    [Fact]
    public void ProducerStopsWhenTheRingIsFull()
    {
        var producer = new SubmissionProducer(_region);
        var consumer = new SubmissionConsumer(_region);
        for (int i = 0; i < Depth; i++)
        {
            Assert.True(producer.TryPublish(default));
        }

        Assert.False(producer.TryPublish(default));
        Assert.True(consumer.TryConsume(out _));
        Assert.True(producer.TryPublish(default));
    }

    [Fact]
    public void ConsumerIgnoresSlotsWithoutTheRightSequence()
    {
        var consumer = new SubmissionConsumer(_region);
        Sqe* slot = _region.SqSlot(0);
        slot->Seq = 2; // a stale or forged sequence: not position 0 + 1
        Assert.False(consumer.TryConsume(out _));
        slot->Seq = 1;
        Assert.True(consumer.TryConsume(out _));
    }

    [Fact]
    public void DeviceTreatsAnImpossibleClientHeadAsFull()
    {
        var producer = new CompletionProducer(_region);
        for (int i = 0; i < Depth; i++)
        {
            Assert.True(producer.HasSpace());
            producer.Post(new Cqe { UserData = (ulong)i });
        }

        Assert.False(producer.HasSpace());
        _region.CqHead = 1_000_000; // ahead of the tail: a lie
        Assert.False(producer.HasSpace());
        _region.CqHead = 1;
        Assert.True(producer.HasSpace());
    }

    [Fact]
    public void WaiterFlagsDecideWhetherToWake()
    {
        var sq = new SubmissionProducer(_region);
        var cq = new CompletionProducer(_region);
        Assert.True(sq.TryPublish(default));
        Assert.False(sq.RingDoorbellIfWaiting());
        _region.DeviceWaiting = 1;
        Assert.True(sq.RingDoorbellIfWaiting());
        Assert.Equal(1u, _region.Doorbell);

        cq.Post(default);
        Assert.False(cq.PublishAndCheckWaiter());
        _region.ClientWaiting = 1;
        uint before = new CompletionConsumer(_region).WakeSnapshot;
        Assert.True(cq.PublishAndCheckWaiter());
        Assert.Equal(before + 1, _region.CqWake);
    }

    [Fact]
    public void CompletionsRoundTripBetweenThreads()
    {
        var producer = new CompletionProducer(_region);
        var consumer = new CompletionConsumer(_region);
        const int count = 200_000;
        var device = new Thread(() =>
        {
            var spin = default(SpinWait);
            for (int i = 0; i < count; i++)
            {
                // Spin, then yield and sleep (SpinOnce): on a loaded machine a pure spin takes the CPU from the
                // consumer it waits for.
                while (!producer.HasSpace())
                {
                    spin.SpinOnce();
                }

                spin.Reset();

                producer.Post(new Cqe { UserData = (ulong)i, Produced = (uint)i * 3 });
            }
        });
        device.Start();
        var wait = default(SpinWait);
        for (int i = 0; i < count;)
        {
            if (consumer.TryConsume(out Cqe cqe))
            {
                Assert.Equal((ulong)i, cqe.UserData);
                Assert.Equal((uint)i * 3, cqe.Produced);
                i++;
                wait.Reset();
            }
            else
            {
                wait.SpinOnce();
            }
        }

        device.Join();
    }
}
