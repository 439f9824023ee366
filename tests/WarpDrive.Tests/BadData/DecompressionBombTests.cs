using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Devices.Engines;
using WarpDrive.Streams;

namespace WarpDrive.Tests.BadData;

/// <summary>A gzip of 1 GiB of zeros (about 1 MiB) stops at the caller's 16 MiB limit in block mode, stream mode, the
/// Stream reader and <c>wd decompress --max-output</c>, having written no more than the limit; an output of exactly the
/// limit is no error.</summary>
public sealed class DecompressionBombTests : IClassFixture<DecompressionBombTests.Bomb>
{
    private const long Limit = 16L << 20;
    private readonly Bomb _bomb;

    public DecompressionBombTests(Bomb bomb) => _bomb = bomb;

    /// <summary>1 GiB of zeros, gzip-compressed by the runtime in 1 MiB chunks, in memory and in a file.</summary>
    [Trait(Tiers.Name, Tiers.Integration)]
    public sealed class Bomb : IDisposable
    {
        public Bomb()
        {
            using var packed = new MemoryStream();
            using (var gz = new GZipStream(packed, CompressionLevel.Optimal, leaveOpen: true))
            {
                byte[] zeros = new byte[1 << 20];
                for (int i = 0; i < 1024; i++)
                {
                    gz.Write(zeros);
                }
            }

            Data = packed.ToArray();
            Directory = System.IO.Directory.CreateTempSubdirectory("wd-bomb-").FullName;
            File.WriteAllBytes(System.IO.Path.Combine(Directory, "bomb.gz"), Data);
        }

        public byte[] Data { get; }

        public string Directory { get; }

        public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void BlockModeStopsAtTheLimit(string engine)
    {
        Assert.InRange(_bomb.Data.Length, 512 << 10, 2 << 20); // a real bomb: about 1000:1
        using WdRuntime runtime = Engines.Runtime(engine);
        using var session = new CompressionSession(Options(SessionMode.Block), runtime);
        byte[] output = new byte[(int)Limit + (4 << 20)];
        output.AsSpan((int)Limit).Fill(0xAA);
        CompressionResult r = session.Process(_bomb.Data, output);
        Assert.Equal(CompletionStatus.DataError, r.Status);
        Assert.Equal(DataErrorKind.OutputLimitExceeded, r.DataError);
        Assert.Equal(0, r.Produced);
        Assert.True(output.AsSpan((int)Limit).IndexOfAnyExcept((byte)0xAA) < 0, "written past the limit");
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public void StreamModeStopsAtTheLimitAcrossRequests(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        using var session = new CompressionSession(Options(SessionMode.Stream), runtime);
        byte[] output = new byte[3 << 20]; // not a divisor of the limit: the last request is clamped
        long total = 0;
        int position = 0;
        CompressionResult r;
        do
        {
            int piece = Math.Min(64 << 10, _bomb.Data.Length - position);
            r = session.Process(_bomb.Data.AsSpan(position, piece), output, last: position + piece == _bomb.Data.Length);
            position += r.Consumed;
            total += r.Produced;
            Assert.True(total <= Limit, $"{total} bytes produced, more than the limit");
        }
        while (r.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace && !r.EndOfStream);

        Assert.Equal(CompletionStatus.DataError, r.Status);
        Assert.Equal(DataErrorKind.OutputLimitExceeded, r.DataError);
        Assert.Equal(Limit, total);

        // The stream was abandoned; the session decompresses the next stream from the start.
        byte[] small = Gzip(new byte[1000]);
        CompressionResult next = session.Process(small, output);
        Assert.True(next.IsOk && next.EndOfStream && next.Produced == 1000, next.ToString());
    }

    [Theory]
    [MemberData(nameof(Engines.All), MemberType = typeof(Engines))]
    public async Task StreamReaderThrowsAtTheLimit(string engine)
    {
        using WdRuntime runtime = Engines.Runtime(engine);
        using var reader = new WdGZipStream(new MemoryStream(_bomb.Data), Limit, leaveOpen: false, runtime);
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        var e = await Assert.ThrowsAsync<WdOutputLimitExceededException>(async () =>
        {
            int n;
            while ((n = await reader.ReadAsync(buffer)) > 0)
            {
                total += n;
            }
        });
        Assert.Equal(Limit, total);
        Assert.Equal(Limit, e.Limit);
        Assert.Equal($"output limit of {Limit} bytes exceeded", e.Message);
        Assert.Equal(0, reader.Read(buffer)); // the stream has ended
    }

    [Theory]
    [InlineData(SessionMode.Block, 100_000, true)]
    [InlineData(SessionMode.Block, 99_999, false)]
    [InlineData(SessionMode.Stream, 100_000, true)]
    [InlineData(SessionMode.Stream, 99_999, false)]
    public void OutputOfExactlyTheLimitIsNoError(SessionMode mode, long limit, bool fits)
    {
        byte[] text = TestData.Text(100_000);
        byte[] packed = Gzip(text);
        foreach (string engine in DeflateEngine.Isal is null ? ["zlib"] : (string[])["zlib", "isal"])
        {
            using WdRuntime runtime = Engines.Runtime(engine);
            using var session = new CompressionSession(Options(mode) with { MaxOutputLength = limit }, runtime);
            byte[] output = new byte[200_000];
            int chunk = mode == SessionMode.Stream ? 25_000 : output.Length; // stream: the limit falls on a request boundary
            long total = 0;
            int position = 0;
            CompressionResult r;
            do
            {
                r = session.Process(packed.AsSpan(position), output.AsSpan((int)total, chunk));
                position += r.Consumed;
                total += r.Produced;
            }
            while (mode == SessionMode.Stream && r.Status == CompletionStatus.OutOfSpace);

            if (fits)
            {
                Assert.True(r.IsOk && r.EndOfStream && position == packed.Length, $"{engine}: {r}");
                Assert.True(output.AsSpan(0, (int)total).SequenceEqual(text), engine);
            }
            else
            {
                Assert.Equal(DataErrorKind.OutputLimitExceeded, r.DataError);
                Assert.True(total <= limit, $"{engine}: {total}");
            }
        }
    }

    [Fact]
    public void CliStopsWithExitOneAndNoOutputFile()
    {
        string output = Path.Combine(_bomb.Directory, "out");
        (int code, _, string err) = CliRunner.Wd($"decompress --max-output 16M -o '{output}' '{Path.Combine(_bomb.Directory, "bomb.gz")}'");
        Assert.Equal(1, code);
        Assert.Equal($"wd: {Path.Combine(_bomb.Directory, "bomb.gz")}: output limit of {Limit} bytes exceeded", err.Trim());
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.GetFiles(_bomb.Directory, ".out*"));

        (code, _, err) = CliRunner.Wd($"decompress --max-output 16Q '{Path.Combine(_bomb.Directory, "bomb.gz")}'");
        Assert.Equal(2, code);
        Assert.Contains("--max-output must be a size", err, StringComparison.Ordinal);
    }

    private static CompressionSessionOptions Options(SessionMode mode) => new()
    {
        Algorithm = CompressionAlgorithm.Gzip,
        Direction = CompressionDirection.Decompress,
        Mode = mode,
        MaxOutputLength = Limit,
    };

    private static byte[] Gzip(byte[] data)
    {
        using var packed = new MemoryStream();
        using (var gz = new GZipStream(packed, CompressionLevel.Optimal))
        {
            gz.Write(data);
        }

        return packed.ToArray();
    }
}
