using System.IO.Compression;
using WarpDrive.Streams;

namespace WarpDrive.Tests.Conformance;

/// <summary>gzip's own cases: concatenated members, and bytes after the last one.</summary>
public abstract class GZipConformanceTests : CompressionStreamConformanceTests
{
    protected override Format Kind => Format.GZip;

    /// <summary>Deliberate difference: bytes after the last gzip member that do not start another member are
    /// InvalidDataException, as for <c>gzip -d</c>; the runtime's GZipStream ignores them.</summary>
    protected virtual bool TrailingGarbageIsInvalidData => false;

    /// <summary>A derived MemoryStream, so CopyTo cannot take MemoryStream's one-write shortcut.</summary>
    private sealed class DerivedMemoryStream : MemoryStream
    {
    }

    [Fact]
    public void ConcatenatedGzipStreams()
    {
        using var concat = new MemoryStream();
        foreach (string line in new[] { "Stream 1", "Stream 2" })
        {
            using var gz = new GZipStream(concat, CompressionLevel.NoCompression, leaveOpen: true);
            using var sw = new StreamWriter(gz);
            sw.WriteLine(line);
        }

        new GZipStream(concat, CompressionLevel.NoCompression, leaveOpen: true).Dispose();
        concat.Position = 0;
        using Stream d = Create(concat, CompressionMode.Decompress);
        using var sr = new StreamReader(d);
        Assert.Equal("Stream 1", sr.ReadLine());
        Assert.Equal("Stream 2", sr.ReadLine());
        Assert.Empty(sr.ReadToEnd());
    }

    [Fact]
    public async Task ConcatenatedEmptyGzipStreams()
    {
        // An empty member written byte by byte (header, an empty stored block, trailer), repeated past three copy
        // buffers, after a member that holds one byte.
        byte[] empty = [31, 139, 8, 0, 0, 0, 0, 0, 2, 10, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        using var compressed = new DerivedMemoryStream();
        using (var gz = new GZipStream(compressed, CompressionLevel.NoCompression, leaveOpen: true))
        {
            gz.WriteByte(3);
        }

        while (compressed.Length < 3 * 0x8000)
        {
            compressed.Write(empty);
        }

        foreach (bool useAsync in new[] { false, true })
        {
            compressed.Position = 0;
            using Stream d = Create(compressed, CompressionMode.Decompress, leaveOpen: true);
            using var output = new DerivedMemoryStream();
            Assert.Equal(3, d.ReadByte());
            if (useAsync)
            {
                await d.CopyToAsync(output, 0x8000);
            }
            else
            {
                d.CopyTo(output, 0x8000);
            }

            Assert.Equal(0, output.Length);
        }
    }

    public static IEnumerable<object[]> ManyMembers() =>
    [
        [1000, DrainMode.Read, 1000, 1],
        [1000, DrainMode.ReadByte, 1, 1],
        [1000, DrainMode.ReadAsync, 1000, 1],
        [1000, DrainMode.Copy, 1000, 1],
        [1000, DrainMode.CopyAsync, 1000, 1],
        [10, DrainMode.Read, 1000, 2000],
        [10, DrainMode.ReadByte, 1, 2000],
        [10, DrainMode.ReadAsync, 1000, 2000],
        [10, DrainMode.Copy, 1000, 2000],
        [10, DrainMode.CopyAsync, 1000, 2000],
        [2, DrainMode.Copy, 1000, 0x2000 - 30],
        [2, DrainMode.CopyAsync, 1000, 0x2000 - 30],
        [1000, DrainMode.Read, 1, 1],
        [1000, DrainMode.ReadAsync, 1, 1],
        [1000, DrainMode.Read, 1001 * 24, 1],
        [1000, DrainMode.ReadAsync, 1001 * 24, 1],
        [1000, DrainMode.Copy, 1001 * 24, 1],
        [1000, DrainMode.CopyAsync, 1001 * 24, 1],
    ];

    [Theory]
    [MemberData(nameof(ManyMembers))]
    public async Task ManyConcatenatedGzipStreams(int members, DrainMode mode, int bufferSize, int bytesPerMember)
    {
        using var expected = new MemoryStream();
        using MemoryStream compressed = mode is DrainMode.Copy or DrainMode.CopyAsync ? new DerivedMemoryStream() : new MemoryStream();
        for (int i = 0; i < members; i++)
        {
            using var gz = new GZipStream(compressed, CompressionLevel.NoCompression, leaveOpen: true);
            for (int j = 0; j < bytesPerMember; j++)
            {
                byte b = (byte)(i * j % 256);
                gz.WriteByte(b);
                expected.WriteByte(b);
            }
        }

        compressed.Position = 0;
        using Stream d = Create(compressed, CompressionMode.Decompress);
        Assert.Equal(expected.ToArray(), await Within(Spawn(() => Drain(mode, d, bufferSize))));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task BytesAfterTheLastMember(bool zeros)
    {
        byte[] data = TestData.Text(1000, seed: 21);
        byte[] trailing = zeros ? new byte[100] : "FOOTER, not a gzip member"u8.ToArray();
        using Stream d = Create(new MemoryStream([.. ReferenceCompress(data), .. trailing]), CompressionMode.Decompress);
        if (TrailingGarbageIsInvalidData)
        {
            await Assert.ThrowsAsync<InvalidDataException>(() => Within(Drain(DrainMode.ReadAsync, d)));
        }
        else
        {
            Assert.Equal(data, await Within(Drain(DrainMode.ReadAsync, d)));
        }
    }
}

/// <summary>zlib's own cases.</summary>
public abstract class ZLibConformanceTests : CompressionStreamConformanceTests
{
    protected override Format Kind => Format.ZLib;

    [Fact]
    public async Task BytesAfterTheEndAreIgnored()
    {
        byte[] data = TestData.Text(1000, seed: 22);
        using Stream d = Create(new MemoryStream([.. ReferenceCompress(data), .. "FOOTER"u8.ToArray()]), CompressionMode.Decompress);
        Assert.Equal(data, await Within(Drain(DrainMode.ReadAsync, d)));
    }
}

/// <summary>raw deflate's own cases: a zlib or gzip wrapper is not raw deflate.</summary>
public abstract class DeflateConformanceTests : CompressionStreamConformanceTests
{
    protected override Format Kind => Format.Deflate;

    [Theory]
    [InlineData(Format.GZip)]
    [InlineData(Format.ZLib)]
    public void DecompressFailsWithWrapperStream(Format wrapper)
    {
        byte[] data = TestData.Text(10_000, seed: 23);
        using var ms = new MemoryStream();
        using (Stream c = wrapper == Format.GZip ? new GZipStream(ms, CompressionLevel.Optimal, true) : new ZLibStream(ms, CompressionLevel.Optimal, true))
        {
            c.Write(data);
        }

        ms.Position = 0;
        using Stream d = Create(ms, CompressionMode.Decompress);
        Assert.Throws<InvalidDataException>(() => d.Read(new byte[2048], 0, 2048));
    }

    [Fact]
    public async Task BytesAfterTheEndAreIgnored()
    {
        byte[] data = TestData.Text(1000, seed: 24);
        using Stream d = Create(new MemoryStream([.. ReferenceCompress(data), .. "FOOTER"u8.ToArray()]), CompressionMode.Decompress);
        Assert.Equal(data, await Within(Drain(DrainMode.ReadAsync, d)));
    }
}

// ---- the runtime's streams: the reference, every case passes -------------------------------------------------------

public sealed class GZipStreamConformance : GZipConformanceTests
{
    protected override Stream Create(Stream stream, CompressionMode mode, bool leaveOpen = false) => new GZipStream(stream, mode, leaveOpen);

    protected override Stream Create(Stream stream, CompressionLevel level, bool leaveOpen = false) => new GZipStream(stream, level, leaveOpen);

    protected override Stream? BaseStreamOf(Stream stream) => ((GZipStream)stream).BaseStream;
}

public sealed class ZLibStreamConformance : ZLibConformanceTests
{
    protected override Stream Create(Stream stream, CompressionMode mode, bool leaveOpen = false) => new ZLibStream(stream, mode, leaveOpen);

    protected override Stream Create(Stream stream, CompressionLevel level, bool leaveOpen = false) => new ZLibStream(stream, level, leaveOpen);

    protected override Stream? BaseStreamOf(Stream stream) => ((ZLibStream)stream).BaseStream;
}

public sealed class DeflateStreamConformance : DeflateConformanceTests
{
    protected override Stream Create(Stream stream, CompressionMode mode, bool leaveOpen = false) => new DeflateStream(stream, mode, leaveOpen);

    protected override Stream Create(Stream stream, CompressionLevel level, bool leaveOpen = false) => new DeflateStream(stream, level, leaveOpen);

    protected override Stream? BaseStreamOf(Stream stream) => ((DeflateStream)stream).BaseStream;
}

// ---- ours: the same cases, and where we differ on purpose, our behaviour ------------------------------------------

public sealed class WdGZipStreamConformance : GZipConformanceTests
{
    protected override bool StrictValidation => true;

    protected override bool TrailingGarbageIsInvalidData => true;

    protected override Stream Create(Stream stream, CompressionMode mode, bool leaveOpen = false) => new WdGZipStream(stream, mode, leaveOpen);

    protected override Stream Create(Stream stream, CompressionLevel level, bool leaveOpen = false) => new WdGZipStream(stream, level, leaveOpen);

    protected override Stream? BaseStreamOf(Stream stream) => ((WdGZipStream)stream).BaseStream;
}

public sealed class WdZLibStreamConformance : ZLibConformanceTests
{
    protected override bool StrictValidation => true;

    protected override Stream Create(Stream stream, CompressionMode mode, bool leaveOpen = false) => new WdZLibStream(stream, mode, leaveOpen);

    protected override Stream Create(Stream stream, CompressionLevel level, bool leaveOpen = false) => new WdZLibStream(stream, level, leaveOpen);

    protected override Stream? BaseStreamOf(Stream stream) => ((WdZLibStream)stream).BaseStream;
}

public sealed class WdDeflateStreamConformance : DeflateConformanceTests
{
    protected override bool StrictValidation => true;

    protected override Stream Create(Stream stream, CompressionMode mode, bool leaveOpen = false) => new WdDeflateStream(stream, mode, leaveOpen);

    protected override Stream Create(Stream stream, CompressionLevel level, bool leaveOpen = false) => new WdDeflateStream(stream, level, leaveOpen);

    protected override Stream? BaseStreamOf(Stream stream) => ((WdDeflateStream)stream).BaseStream;
}

/// <summary>Ours again, with every request offloaded to the in-process device's worker (the asynchronous path
/// that broker and hardware devices take) rather than run inline.</summary>
public sealed class WdGZipStreamOffloadedConformance : GZipConformanceTests
{
    protected override bool StrictValidation => true;

    protected override bool TrailingGarbageIsInvalidData => true;

    protected override Stream Create(Stream stream, CompressionMode mode, bool leaveOpen = false) =>
        new WdGZipStream(stream, mode, new WdCompressionStreamOptions { LeaveOpen = leaveOpen, Offload = true });

    protected override Stream Create(Stream stream, CompressionLevel level, bool leaveOpen = false) =>
        new WdGZipStream(stream, CompressionMode.Compress, new WdCompressionStreamOptions
        {
            Level = WarpDrive.Compression.CompressionSessionOptions.ToLevel(level),
            LeaveOpen = leaveOpen,
            Offload = true,
        });

    protected override Stream? BaseStreamOf(Stream stream) => ((WdGZipStream)stream).BaseStream;
}
