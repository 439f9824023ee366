using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Devices;

namespace WarpDrive.Tests;

/// <summary>Every ZIP operation with an input of zero bytes, through the real embedded device on each engine:
/// compressing nothing makes a valid empty stream, decompressing nothing in block mode is DATA_ERROR (truncated), empty
/// stream pieces are accepted, and nothing is INTERNAL_ERROR or counted by the device.</summary>
public sealed unsafe class ZipZeroLengthTests
{
    private sealed class Device : IDisposable
    {
        private readonly WdRuntime _runtime;
        private readonly int[] _shares;
        private ulong _tag;

        public Device(string engine)
        {
            _runtime = Engines.Runtime(engine);
            Queue = _runtime.RequestQueue("gzip");
            _shares = [Queue.Share((nint)Addr(Src), Src.Length), Queue.Share((nint)Addr(Dst), Dst.Length)];
        }

        public WdQueue Queue { get; }

        public byte[] Src { get; } = GC.AllocateArray<byte>(4096, pinned: true);

        public byte[] Dst { get; } = GC.AllocateArray<byte>(4096, pinned: true);

        public DeviceHost Host => _runtime.FindEmbeddedHost("zip-0")!;

        public static ulong Addr(byte[] a)
        {
            fixed (byte* p = a)
            {
                return (ulong)p; // pinned on the POH
            }
        }

        public Cqe Run(Sqe sqe)
        {
            sqe.UserData = ++_tag;
            Assert.True(Queue.TrySend(in sqe));
            Queue.Flush();
            Assert.True(Queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(10)), "no completion within 10 s");
            Assert.Equal(sqe.UserData, cqe.UserData);
            return cqe;
        }

        public void Dispose()
        {
            foreach (int share in _shares)
            {
                Queue.Unshare(share);
            }

            Queue.Dispose();
            _runtime.Dispose();
        }
    }

    public static TheoryData<string, CompAlgorithm> EnginesAndFormats()
    {
        var data = new TheoryData<string, CompAlgorithm>();
        foreach (string engine in Engines.All())
        {
            foreach (CompAlgorithm algorithm in new[] { CompAlgorithm.Deflate, CompAlgorithm.Zlib, CompAlgorithm.Gzip })
            {
                data.Add(engine, algorithm);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EnginesAndFormats))]
    public void CompressingNothingMakesAnEmptyStreamAndDecompressingItGivesNothing(string engine, CompAlgorithm algorithm)
    {
        using var device = new Device(engine);
        ulong src = Device.Addr(device.Src), dst = Device.Addr(device.Dst);
        foreach (ulong source in new[] { src, 0UL }) // an empty buffer at a valid address, and no buffer at all
        {
            // Block mode.
            Cqe block = device.Run(new Sqe { Opcode = Opcode.Compress, Algorithm = (byte)algorithm, Level = 6, Src = source, SrcLen = 0, Dst = dst, DstLen = 4096 });
            Assert.Equal(CompletionStatus.Ok, block.Status);
            Assert.Equal(0u, block.Consumed);
            Assert.True(block.Produced > 0);
            byte[] empty = device.Dst[..(int)block.Produced];
            Assert.Empty(RuntimeCodecs.Decompress((CompressionAlgorithm)algorithm, empty));

            // Its decompression through the device gives nothing, also into no destination at all.
            empty.CopyTo(device.Src, 0);
            foreach ((ulong d, uint dLen) in new[] { (dst, 4096u), (0UL, 0u) })
            {
                Cqe back = device.Run(new Sqe { Opcode = Opcode.Decompress, Algorithm = (byte)algorithm, Src = src, SrcLen = (uint)empty.Length, Dst = d, DstLen = dLen });
                Assert.True(back.Status == CompletionStatus.Ok, $"into {dLen} bytes at 0x{d:x}: {back.Status} {device.Host.LastRequestFailure}");
                Assert.Equal(0u, back.Produced);
                Assert.Equal((uint)empty.Length, back.Consumed);
                Assert.NotEqual(0, (int)(back.Flags & CqeFlags.EndOfStream));
            }

            // No destination at all: no room, in block mode and for a stream piece (which keeps its stream, so the
            // piece is resubmitted with a buffer).
            Cqe nowhere = device.Run(new Sqe { Opcode = Opcode.Compress, Algorithm = (byte)algorithm, Level = 6, Src = source });
            Assert.True(nowhere.Status == CompletionStatus.OutOfSpace, $"{nowhere.Status} {device.Host.LastRequestFailure}");
            Assert.Equal(0u, nowhere.Produced);
            Cqe started = device.Run(new Sqe { Opcode = Opcode.Compress, Algorithm = (byte)algorithm, Level = 6, Flags = SqeFlags.Stream | SqeFlags.NewStream, StreamId = 4, Src = source });
            Assert.True(started.Status == CompletionStatus.OutOfSpace, $"{started.Status} {device.Host.LastRequestFailure}");
            Assert.Equal(0u, started.Produced);
            Assert.Equal(0u, started.Consumed);
            Cqe resubmitted = device.Run(new Sqe { Opcode = Opcode.Compress, Algorithm = (byte)algorithm, Flags = SqeFlags.Stream | SqeFlags.Last, StreamId = 4, Src = source, Dst = dst, DstLen = 4096 });
            Assert.Equal(CompletionStatus.Ok, resubmitted.Status);
            Assert.Empty(RuntimeCodecs.Decompress((CompressionAlgorithm)algorithm, device.Dst.AsSpan(0, (int)resubmitted.Produced)));

            // Stream mode: one piece that is first and last, then three empty pieces.
            for (int pieces = 1; pieces <= 3; pieces += 2)
            {
                int produced = 0;
                for (int piece = 0; piece < pieces; piece++)
                {
                    SqeFlags flags = SqeFlags.Stream | (piece == 0 ? SqeFlags.NewStream : 0) | (piece == pieces - 1 ? SqeFlags.Last : 0);
                    Cqe part = device.Run(new Sqe
                    {
                        Opcode = Opcode.Compress, Algorithm = (byte)algorithm, Level = 6, Flags = flags, StreamId = 1,
                        Src = source, SrcLen = 0, Dst = dst + (ulong)produced, DstLen = (uint)(4096 - produced),
                    });
                    Assert.Equal(CompletionStatus.Ok, part.Status);
                    Assert.Equal(0u, part.Consumed);
                    produced += (int)part.Produced;
                }

                Assert.Empty(RuntimeCodecs.Decompress((CompressionAlgorithm)algorithm, device.Dst.AsSpan(0, produced)));
            }
        }

        Assert.Equal(0, device.Host.FaultCount);
        Assert.Equal(0, device.Host.RequestFailureCount);
    }

    [Theory]
    [MemberData(nameof(EnginesAndFormats))]
    public void DecompressingNothingIsTruncatedInBlockModeAndWaitsForMoreInStreamMode(string engine, CompAlgorithm algorithm)
    {
        using var device = new Device(engine);
        ulong src = Device.Addr(device.Src), dst = Device.Addr(device.Dst);
        foreach (ulong source in new[] { src, 0UL })
        {
            Cqe block = device.Run(new Sqe { Opcode = Opcode.Decompress, Algorithm = (byte)algorithm, Src = source, SrcLen = 0, Dst = dst, DstLen = 4096 });
            Assert.Equal(CompletionStatus.DataError, block.Status);
            Assert.Equal((uint)DataErrorKind.Truncated, block.Detail);
            Assert.Equal(0u, block.Produced);

            // Stream mode: empty pieces are no error until the last one, which ends the data too early.
            Cqe first = device.Run(new Sqe { Opcode = Opcode.Decompress, Algorithm = (byte)algorithm, Flags = SqeFlags.Stream | SqeFlags.NewStream, StreamId = 2, Src = source, Dst = dst, DstLen = 4096 });
            Assert.Equal(CompletionStatus.Ok, first.Status);
            Assert.Equal(0u, first.Produced);
            Assert.Equal(0, (int)(first.Flags & CqeFlags.EndOfStream));
            Cqe last = device.Run(new Sqe { Opcode = Opcode.Decompress, Algorithm = (byte)algorithm, Flags = SqeFlags.Stream | SqeFlags.Last, StreamId = 2, Src = source, Dst = dst, DstLen = 4096 });
            Assert.Equal(CompletionStatus.DataError, last.Status);
            Assert.Equal((uint)DataErrorKind.Truncated, last.Detail);
        }

        Assert.Equal(0, device.Host.FaultCount);
        Assert.Equal(0, device.Host.RequestFailureCount);
    }
}
