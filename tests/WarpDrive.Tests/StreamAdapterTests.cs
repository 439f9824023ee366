using System.IO.Compression;
using WarpDrive.Streams;

namespace WarpDrive.Tests;

public class StreamAdapterTests
{
    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void GZipStreamRoundTripsWithTheRuntime(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] text = TestData.Text(3_000_000);
        var compressed = new MemoryStream();
        using (var z = new WdGZipStream(compressed, CompressionMode.Compress, 6, leaveOpen: true, runtime))
        {
            // Uneven writes, some tiny.
            for (int offset = 0, i = 0; offset < text.Length; i++)
            {
                int n = Math.Min(i % 5 == 0 ? 3 : 100_003, text.Length - offset);
                z.Write(text, offset, n);
                offset += n;
            }
        }

        compressed.Position = 0;
        using (var dotnet = new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: true))
        {
            var back = new MemoryStream();
            dotnet.CopyTo(back);
            Assert.Equal(text, back.ToArray());
        }

        var foreign = new MemoryStream();
        using (var dotnet = new GZipStream(foreign, CompressionLevel.Fastest, leaveOpen: true))
        {
            dotnet.Write(text);
        }

        foreign.Position = 0;
        using var ours = new WdGZipStream(foreign, CompressionMode.Decompress, 6, leaveOpen: false, runtime);
        var restored = new MemoryStream();
        byte[] small = new byte[777];
        int read;
        while ((read = ours.Read(small, 0, small.Length)) > 0)
        {
            restored.Write(small, 0, read);
        }

        Assert.Equal(text, restored.ToArray());
        Assert.Equal(0, ours.Read(small)); // stays at the end
    }

    [Fact]
    public async Task AsyncMethodsWork()
    {
        using WdRuntime runtime = Engines.Runtime("zlib");
        byte[] text = TestData.Text(1_000_000);
        var compressed = new MemoryStream();
        await using (var z = new WdZLibStream(compressed, CompressionMode.Compress, 1, leaveOpen: true, runtime))
        {
            await z.WriteAsync(text.AsMemory(0, 500_000));
            await z.FlushAsync();
            await z.WriteAsync(text.AsMemory(500_000));
        }

        compressed.Position = 0;
        await using var d = new WdZLibStream(compressed, CompressionMode.Decompress, 6, leaveOpen: true, runtime);
        var back = new MemoryStream();
        await d.CopyToAsync(back);
        Assert.Equal(text, back.ToArray());
    }

    [Fact]
    public void FlushMakesEverythingWrittenSoFarDecodable()
    {
        using WdRuntime runtime = Engines.Runtime("zlib");
        byte[] text = TestData.Text(20_000);
        var sink = new MemoryStream();
        using var z = new WdDeflateStream(sink, CompressionMode.Compress, 6, leaveOpen: true, runtime);
        z.Write(text);
        z.Flush();
        // Without the end of the stream, a raw inflater must still yield every byte written before Flush.
        using var partial = new DeflateStream(new MemoryStream(sink.ToArray()), CompressionMode.Decompress);
        byte[] got = new byte[text.Length];
        int total = 0, n;
        while (total < got.Length && (n = partial.Read(got, total, got.Length - total)) > 0)
        {
            total += n;
        }

        Assert.Equal(text.Length, total);
        Assert.Equal(text, got);
        long size = sink.Length;
        z.Flush(); // nothing new written: no extra bytes
        Assert.Equal(size, sink.Length);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task GZipFlushAsyncMakesEverythingWrittenSoFarDecodable(string engine)
    {
        // What response compression relies on (SupportsFlush): after FlushAsync, a gzip reader of the bytes so far
        // gets every byte written, though the member has no end yet.
        using WdRuntime runtime = Engines.Runtime(engine);
        byte[] text = TestData.Text(70_000, seed: 7);
        var sink = new MemoryStream();
        await using var z = new WdGZipStream(sink, CompressionMode.Compress, 1, leaveOpen: true, runtime);
        await z.WriteAsync(text);
        await z.FlushAsync();
        await using var partial = new GZipStream(new MemoryStream(sink.ToArray()), CompressionMode.Decompress);
        byte[] got = new byte[text.Length];
        await partial.ReadExactlyAsync(got);
        Assert.Equal(text, got);
        Assert.Equal(sink.Length, z.CompressedBytes);
    }

    [Fact]
    public void EmptyInputStillMakesAValidStream()
    {
        using WdRuntime runtime = Engines.Runtime("zlib");
        var sink = new MemoryStream();
        new WdGZipStream(sink, CompressionMode.Compress, 6, leaveOpen: true, runtime).Dispose();
        Assert.Equal(20, sink.Length); // 10-byte header, empty final block, 8-byte trailer
        sink.Position = 0;
        using var d = new GZipStream(sink, CompressionMode.Decompress);
        Assert.Equal(-1, d.ReadByte());
    }

    [Fact]
    public void EmptyCompressedInputReadsAsNoData()
    {
        // As GZipStream does: nothing in, nothing out, no exception.
        using WdRuntime runtime = Engines.Runtime("zlib");
        using var d = new WdGZipStream(new MemoryStream(), CompressionMode.Decompress, 6, false, runtime);
        Assert.Equal(0, d.Read(new byte[10]));
        Assert.Equal(0, d.CompressedBytes);
    }

    [Fact]
    public void LeaveOpenIsHonoured()
    {
        using WdRuntime runtime = Engines.Runtime("zlib");
        var open = new MemoryStream();
        new WdGZipStream(open, CompressionMode.Compress, 6, leaveOpen: true, runtime).Dispose();
        Assert.True(open.CanWrite);
        var closed = new MemoryStream();
        new WdGZipStream(closed, CompressionMode.Compress, 6, leaveOpen: false, runtime).Dispose();
        Assert.False(closed.CanWrite);
    }

    [Fact]
    public void CorruptAndTruncatedInputThrowInvalidData()
    {
        using WdRuntime runtime = Engines.Runtime("zlib");
        var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(TestData.Text(100_000));
        }

        byte[] truncated = gz.ToArray()[..^10];
        using var d = new WdGZipStream(new MemoryStream(truncated), CompressionMode.Decompress, 6, false, runtime);
        var e = Assert.Throws<InvalidDataException>(() => d.CopyTo(Stream.Null));
        Assert.Contains("truncated", e.Message);

        using var notGzip = new WdGZipStream(new MemoryStream(TestData.Text(1000)), CompressionMode.Decompress, 6, false, runtime);
        Assert.Throws<InvalidDataException>(() => notGzip.CopyTo(Stream.Null));
    }

    [Fact]
    public void WrongDirectionIsRefused()
    {
        using WdRuntime runtime = Engines.Runtime("zlib");
        using var z = new WdGZipStream(new MemoryStream(), CompressionMode.Compress, 6, false, runtime);
        Assert.False(z.CanRead);
        Assert.Throws<InvalidOperationException>(() => z.Read(new byte[1]));
        Assert.Throws<NotSupportedException>(() => z.Length);
    }
}
