using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WarpDrive.Abi;

namespace WarpDrive.Tests;

public class RingLayoutTests
{
    [Theory]
    [InlineData(nameof(Sqe.UserData), 0)]
    [InlineData(nameof(Sqe.Opcode), 8)]
    [InlineData(nameof(Sqe.Algorithm), 9)]
    [InlineData(nameof(Sqe.Flags), 10)]
    [InlineData(nameof(Sqe.Level), 12)]
    [InlineData(nameof(Sqe.WindowBits), 13)]
    [InlineData(nameof(Sqe.Reserved0), 14)]
    [InlineData(nameof(Sqe.Src), 16)]
    [InlineData(nameof(Sqe.Dst), 24)]
    [InlineData(nameof(Sqe.SrcLen), 32)]
    [InlineData(nameof(Sqe.DstLen), 36)]
    [InlineData(nameof(Sqe.StreamId), 40)]
    [InlineData(nameof(Sqe.Arg), 44)]
    [InlineData(nameof(Sqe.Params), 48)]
    [InlineData(nameof(Sqe.Reserved3), 56)]
    [InlineData(nameof(Sqe.Seq), 60)]
    [InlineData(nameof(Sqe.Mode), 12)]
    [InlineData(nameof(Sqe.Hash), 13)]
    public void SqeFieldsSitWhereQueueAbiMdSays(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<Sqe>(field));

    [Theory]
    [InlineData(nameof(CryptoParams.Key), 0)]
    [InlineData(nameof(CryptoParams.KeyLen), 8)]
    [InlineData(nameof(CryptoParams.IvLen), 12)]
    [InlineData(nameof(CryptoParams.Iv), 16)]
    [InlineData(nameof(CryptoParams.Aad), 24)]
    [InlineData(nameof(CryptoParams.AadLen), 32)]
    [InlineData(nameof(CryptoParams.TagLen), 36)]
    [InlineData(nameof(CryptoParams.Aux), 40)]
    [InlineData(nameof(CryptoParams.AuxLen), 48)]
    [InlineData(nameof(CryptoParams.Reserved0), 52)]
    [InlineData(nameof(CryptoParams.Reserved1), 56)]
    public void CryptoParamsFieldsSitWhereQueueAbiMdSays(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<CryptoParams>(field));

    [Fact]
    public void CryptoStructsHaveTheirDocumentedSizes()
    {
        Assert.Equal(CryptoParams.Size, Unsafe.SizeOf<CryptoParams>());
        Assert.Equal(RsaKeyHeader.Size, Unsafe.SizeOf<RsaKeyHeader>());
        Assert.Equal(8 + 256 + 256, RsaKeyHeader.BlobLength(RsaKeyFormat.Public, 256));
        Assert.Equal(8 + (3 * 256) + (5 * 128), RsaKeyHeader.BlobLength(RsaKeyFormat.PrivateCrt, 256));
    }

    [Theory]
    [InlineData(nameof(Cqe.UserData), 0)]
    [InlineData(nameof(Cqe.Produced), 8)]
    [InlineData(nameof(Cqe.Consumed), 12)]
    [InlineData(nameof(Cqe.Checksum), 16)]
    [InlineData(nameof(Cqe.Status), 20)]
    [InlineData(nameof(Cqe.Flags), 22)]
    [InlineData(nameof(Cqe.Detail), 24)]
    [InlineData(nameof(Cqe.Seq), 28)]
    public void CqeFieldsSitWhereQueueAbiMdSays(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<Cqe>(field));

    [Fact]
    public unsafe void EntrySizesAreFixed()
    {
        Assert.Equal(64, sizeof(Sqe));
        Assert.Equal(32, sizeof(Cqe));
        Assert.Equal(16, sizeof(DataListEntry));
        Assert.Equal(Sqe.SeqOffset, (int)Marshal.OffsetOf<Sqe>(nameof(Sqe.Seq)));
        Assert.Equal(Cqe.SeqOffset, (int)Marshal.OffsetOf<Cqe>(nameof(Cqe.Seq)));
    }

    [Fact]
    public void EachSideWritesItsOwnLine()
    {
        int[] lines = [RingLayout.HeaderOffset, RingLayout.ControlOffset, RingLayout.SqProducerOffset,
            RingLayout.SqConsumerOffset, RingLayout.CqProducerOffset, RingLayout.CqConsumerOffset, RingLayout.SqOffset];
        for (int i = 1; i < lines.Length; i++)
        {
            Assert.Equal(RingLayout.LineSize, lines[i] - lines[i - 1]);
            Assert.Equal(0, lines[i] % RingLayout.LineSize);
        }
    }

    [Theory]
    [InlineData(2, 4096)]
    [InlineData(64, 8192)]
    [InlineData(256, 28672)]
    [InlineData(4096, 397312)]
    public void RegionSizeIsWholePages(int depth, int size)
    {
        Assert.Equal(size, RingLayout.RegionSize(depth));
        Assert.True(RingLayout.CqOffset(depth) + (depth * Cqe.Size) <= size);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(100)]
    [InlineData(8192)]
    public void BadDepthsAreRefused(int depth) => Assert.False(RingLayout.IsValidDepth(depth));

    [Fact]
    public unsafe void TryOpenChecksTheHeaderAgainstTheMapping()
    {
        int size = RingLayout.RegionSize(64);
        nint mem = (nint)NativeMemory.AlignedAlloc((nuint)size, 4096);
        try
        {
            QueueRegion.Format(mem, 64, 7, 3);
            Assert.True(QueueRegion.TryOpen(mem, size, out QueueRegion region, out string? error), error);
            Assert.Equal(64, region.Depth);
            Assert.Equal(7u, region.QueueId);
            Assert.Equal(3u, region.MaxStreams);

            Assert.False(QueueRegion.TryOpen(mem, size - 4096, out _, out _)); // mapping too small for the rings
            *(uint*)(mem + RingLayout.DepthField) = 63;
            Assert.False(QueueRegion.TryOpen(mem, size, out _, out _));
            *(uint*)mem = 0xdeadbeef;
            Assert.False(QueueRegion.TryOpen(mem, size, out _, out string? why));
            Assert.Contains("magic", why, StringComparison.Ordinal);
        }
        finally
        {
            NativeMemory.AlignedFree((void*)mem);
        }
    }
}
