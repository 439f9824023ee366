using System.Runtime.InteropServices;
using WarpDrive.Abi;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>Addresses a broker device cannot reach are a per-request ADDRESS_FAULT, never a crash: on an SVA device
/// the engine's process_vm_readv/writev fails, on a share-only device the address is outside every shared region.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerAddressFaultTests(ITestOutputHelper output)
{
    /// <summary>zip-0 offers SVA and SHARE, zip-1 only SHARE (no copies: only regions the broker made are reachable).</summary>
    private const string Config = """
        {
          "devices": [
            { "name": "zip-0", "memory": "sva+share", "queues": 4 },
            { "name": "zip-1", "memory": "share", "queues": 4 },
          ],
        }
        """;

    private const ulong Unmapped = 0x10000;           // below every mapping of a .NET process (mmap_min_addr is 64 KiB)
    private const ulong KernelHalf = 0xffff_8000_0000_0000;

    [Theory]
    [InlineData("zip-0")]
    [InlineData("zip-1")]
    public async Task UnreachableAddressesAreAnAddressFaultAndTheNextRequestSucceeds(string device)
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        using WdRuntime runtime = broker.CreateRuntime(device);
        using WdQueue queue = runtime.RequestQueue("gzip");
        Assert.Equal(device, queue.Device.Name);
        using WdSharedMemory src = runtime.ReserveMemory(64 << 10);
        using WdSharedMemory dst = runtime.ReserveMemory(128 << 10);
        TestData.Text(src.Length, seed: 31).CopyTo(src.GetSpan());

        uint errors = 0;
        foreach ((string which, ulong address) in new[] { ("src", Unmapped), ("src", KernelHalf), ("dst", Unmapped), ("dst", KernelHalf) })
        {
            Sqe bad = BrokerTestKit.Compress(1, src, src.Length, dst);
            if (which == "src")
            {
                bad.Src = address;
            }
            else
            {
                bad.Dst = address;
            }

            Cqe cqe = BrokerTestKit.Run(queue, bad);
            Assert.True(cqe.Status == CompletionStatus.AddressFault, $"{which} = 0x{address:x}: {cqe.Status}");
            Assert.Equal(0u, cqe.Produced);
            Assert.Equal(++errors, queue.ErrorCount);

            Cqe good = BrokerTestKit.Run(queue, BrokerTestKit.Compress(2, src, src.Length, dst));
            Assert.Equal(CompletionStatus.Ok, good.Status);
            Assert.Equal(src.GetSpan().ToArray(), BrokerTestKit.Gunzip(BrokerTestKit.Span(dst, (int)good.Produced)));
            Assert.Equal(QueueState.Started, queue.State);
        }

        Assert.True(broker.IsAlive);
    }

    [Fact]
    public async Task OnAShareOnlyDeviceOnlyReservedMemoryIsReachableWhileAnSvaDeviceCopiesAnyBuffer()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        CompareShareOnlyWithSva(broker);
    }

    private static unsafe void CompareShareOnlyWithSva(BrokerProcess broker)
    {
        using WdRuntime shareOnly = broker.CreateRuntime("zip-1");
        using WdRuntime sva = broker.CreateRuntime("zip-0");
        using WdQueue shareQueue = shareOnly.RequestQueue("gzip");
        using WdQueue svaQueue = sva.RequestQueue("gzip");
        Assert.Equal("SHARE", broker.ReadAttribute("zip-1", "flags"));

        byte[] data = TestData.Text(100_000, seed: 32);
        byte[] managedSrc = GC.AllocateArray<byte>(data.Length, pinned: true);
        data.CopyTo(managedSrc, 0);
        byte[] managedDst = GC.AllocateArray<byte>(data.Length + 4096, pinned: true);
        int nativeLength = data.Length + 4096;
        nint nativeDst = (nint)NativeMemory.Alloc((nuint)nativeLength);
        using WdSharedMemory src = shareOnly.ReserveMemory(data.Length);
        using WdSharedMemory dst = shareOnly.ReserveMemory(data.Length + 4096);
        data.CopyTo(src.GetSpan());
        try
        {
            nint managedSrcAddress = BrokerTestKit.Address(managedSrc), managedDstAddress = BrokerTestKit.Address(managedDst);

            // Share-only: a managed or native buffer outside the regions the broker made faults, as source or destination.
            Cqe cqe = BrokerTestKit.Run(shareQueue, BrokerTestKit.Compress(1, managedSrcAddress, data.Length, dst.Address, dst.Length));
            Assert.Equal(CompletionStatus.AddressFault, cqe.Status);
            cqe = BrokerTestKit.Run(shareQueue, BrokerTestKit.Compress(2, src.Address, data.Length, managedDstAddress, managedDst.Length));
            Assert.Equal(CompletionStatus.AddressFault, cqe.Status);
            cqe = BrokerTestKit.Run(shareQueue, BrokerTestKit.Compress(3, src.Address, data.Length, nativeDst, nativeLength));
            Assert.Equal(CompletionStatus.AddressFault, cqe.Status);
            Assert.True(managedDst.AsSpan().IndexOfAnyExcept((byte)0) < 0, "a faulted request wrote into the managed buffer");

            // ... while the broker's regions work in place.
            cqe = BrokerTestKit.Run(shareQueue, BrokerTestKit.Compress(4, src, data.Length, dst));
            Assert.Equal(CompletionStatus.Ok, cqe.Status);
            Assert.Equal(data, BrokerTestKit.Gunzip(BrokerTestKit.Span(dst, (int)cqe.Produced)));

            // SVA: the same managed and native buffers are copied in and out by the broker (process_vm_readv/writev).
            cqe = BrokerTestKit.Run(svaQueue, BrokerTestKit.Compress(5, managedSrcAddress, data.Length, managedDstAddress, managedDst.Length));
            Assert.Equal(CompletionStatus.Ok, cqe.Status);
            Assert.Equal(data, BrokerTestKit.Gunzip(managedDst.AsSpan(0, (int)cqe.Produced)));
            cqe = BrokerTestKit.Run(svaQueue, BrokerTestKit.Compress(6, managedSrcAddress, data.Length, nativeDst, nativeLength));
            Assert.Equal(CompletionStatus.Ok, cqe.Status);
            Assert.Equal(data, BrokerTestKit.Gunzip(new ReadOnlySpan<byte>((void*)nativeDst, (int)cqe.Produced)));
        }
        finally
        {
            NativeMemory.Free((void*)nativeDst);
        }
    }
}
