using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Devices;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Tests;

/// <summary>What a client sees of a failed request, as docs/QUEUE-ABI.md states it: the order of the status word and
/// the completion of the request that crosses the error threshold, and where a failed request may have written.</summary>
public sealed unsafe class FailedRequestTests
{
    private const int Threshold = 3;

    [Fact]
    public void TheQueueReadsDisabledBeforeTheCompletionThatCrossedTheThresholdIsPosted()
    {
        using var host = new DeviceHost(new ZipDevice(), new DeviceHostOptions { QueueCount = 1, WorkerCount = 1, QueueErrorThreshold = Threshold, QueueDepth = 16 });
        HardwareQueue queue = host.AllocateQueue(new Domain());
        var ring = new RawRing(queue.RegionBase, queue.RegionSize);

        // At the moment the device disables the queue (its event runs on the worker, inside the disable), the
        // status word already says why, the completions before the crossing one are posted, and the crossing one is not.
        QueueState stateAtDisable = QueueState.Idle;
        QueueDisableReason reasonAtDisable = QueueDisableReason.None;
        bool earlierPosted = false, crossingPosted = true;
        host.QueueDisabled += (_, _) =>
        {
            stateAtDisable = ring.State;
            reasonAtDisable = ring.DisableReason;
            earlierPosted = Volatile.Read(ref ring.Region.CqSlot(Threshold - 2)->Seq) == Threshold - 1;
            crossingPosted = Volatile.Read(ref ring.Region.CqSlot(Threshold - 1)->Seq) == Threshold;
        };

        // Threshold + 2 invalid descriptors (a non-zero reserved field) in one batch.
        var batch = new Sqe[Threshold + 2];
        for (int i = 0; i < batch.Length; i++)
        {
            batch[i] = new Sqe { UserData = (ulong)i + 1, Opcode = Opcode.Compress, Reserved0 = 1 };
        }

        ring.Submit(batch);
        for (int i = 1; i <= Threshold; i++)
        {
            Cqe cqe = ring.Next();
            Assert.Equal((ulong)i, cqe.UserData);
            Assert.Equal(CompletionStatus.BadRequest, cqe.Status);
        }

        // A client holding the completion that crossed the threshold reads the queue disabled, and why.
        Assert.Equal(QueueState.Disabled, ring.State);
        Assert.Equal(QueueDisableReason.TooManyErrors, ring.DisableReason);

        Assert.Equal(QueueState.Disabled, stateAtDisable);
        Assert.Equal(QueueDisableReason.TooManyErrors, reasonAtDisable);
        Assert.True(earlierPosted, "the completions before the crossing one were not posted when the queue was disabled");
        Assert.False(crossingPosted, "the crossing completion was posted before the queue was disabled");

        // It was the queue's last completion: the descriptors behind it are never answered.
        Assert.False(ring.TryNext(out Cqe late, TimeSpan.FromMilliseconds(300)), $"a completion after the disabling one: {late.UserData}");
    }

    /// <summary>An arena whose bytes around the destination are a known pattern, to see what a request wrote.</summary>
    private sealed class Arena : IDisposable
    {
        public const int Guard = 256;
        public const byte Pattern = 0xA5;
        private readonly DeviceHost _host = new(new ZipDevice(), new DeviceHostOptions { QueueCount = 1, WorkerCount = 1 });
        private readonly byte[] _memory = GC.AllocateArray<byte>(64 * 1024, pinned: true);

        public Arena(int shared)
        {
            var domain = new Domain();
            domain.Share(Base, shared);
            HardwareQueue queue = _host.AllocateQueue(domain);
            Ring = new RawRing(queue.RegionBase, queue.RegionSize);
        }

        public RawRing Ring { get; }

        public nint Base
        {
            get
            {
                fixed (byte* p = _memory)
                {
                    return (nint)p; // pinned on the POH
                }
            }
        }

        /// <summary>The source, at the start of the arena.</summary>
        public ulong Source(byte[] data)
        {
            data.CopyTo(_memory, 0);
            return (ulong)Base;
        }

        /// <summary>A destination of <paramref name="length"/> bytes at <paramref name="offset"/>: it and
        /// <see cref="Guard"/> bytes either side are set to <see cref="Pattern"/>.</summary>
        public ulong Destination(int offset, int length)
        {
            _memory.AsSpan(offset - Guard, length + (2 * Guard)).Fill(Pattern);
            return (ulong)(Base + offset);
        }

        /// <summary>Asserts that nothing outside [offset, offset + length) of what <see cref="Destination"/> set changed.</summary>
        public void AssertUntouchedAround(int offset, int length)
        {
            Assert.All(_memory.AsSpan(offset - Guard, Guard).ToArray(), b => Assert.Equal(Pattern, b));
            Assert.All(_memory.AsSpan(offset + length, Guard).ToArray(), b => Assert.Equal(Pattern, b));
        }

        public void Dispose() => _host.Dispose();
    }

    [Fact]
    public void AFailedRequestWritesNothingOutsideItsDestination()
    {
        byte[] text = TestData.Text(8192);
        byte[] gzip = RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, text);
        byte[] corrupt = (byte[])gzip.Clone();
        corrupt[^6] ^= 0xFF; // the CRC-32 in the trailer: every byte of output is written before the check fails
        const int at = 32 * 1024;

        using (var arena = new Arena(shared: 64 * 1024))
        {
            // OUT_OF_SPACE in block mode: the engine ran out of room inside the destination.
            ulong src = arena.Source(text);
            Cqe full = arena.Ring.Exchange(new Sqe { UserData = 1, Opcode = Opcode.Compress, Algorithm = (byte)CompAlgorithm.Gzip, Level = 1, Src = src, SrcLen = (uint)text.Length, Dst = arena.Destination(at, 100), DstLen = 100 });
            Assert.Equal(CompletionStatus.OutOfSpace, full.Status);
            Assert.Equal(0u, full.Produced);
            arena.AssertUntouchedAround(at, 100);

            // DATA_ERROR after the whole output was written, into a destination that fits it exactly and one that does not.
            src = arena.Source(corrupt);
            foreach (int length in new[] { text.Length, text.Length / 2 })
            {
                Cqe bad = arena.Ring.Exchange(new Sqe { UserData = 2, Opcode = Opcode.Decompress, Algorithm = (byte)CompAlgorithm.Gzip, Src = src, SrcLen = (uint)corrupt.Length, Dst = arena.Destination(at, length), DstLen = (uint)length });
                Assert.True(bad.Status is CompletionStatus.DataError or CompletionStatus.OutOfSpace, $"{bad.Status}");
                arena.AssertUntouchedAround(at, length);
            }
        }

        using (var arena = new Arena(shared: 40 * 1024))
        {
            // ADDRESS_FAULT: a destination that runs past the shared range.
            ulong src = arena.Source(gzip);
            Cqe fault = arena.Ring.Exchange(new Sqe { UserData = 3, Opcode = Opcode.Decompress, Algorithm = (byte)CompAlgorithm.Gzip, Src = src, SrcLen = (uint)gzip.Length, Dst = arena.Destination(at, 9000), DstLen = 9000 });
            Assert.Equal(CompletionStatus.AddressFault, fault.Status);
            Assert.Equal(0u, fault.Produced);
            arena.AssertUntouchedAround(at, 9000);
        }

        // The corrupted input really is corrupt.
        Assert.ThrowsAny<InvalidDataException>(() => RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, corrupt));
    }
}
