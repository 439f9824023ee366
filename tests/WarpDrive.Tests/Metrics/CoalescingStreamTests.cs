using System.IO.Compression;
using WarpDrive.Compression;
using WarpDrive.Diagnostics;
using WarpDrive.Streams;

namespace WarpDrive.Tests.Metrics;

/// <summary>The streams work in device-sized blocks (issue 17): whatever the write or read pattern, the device sees
/// about one request per block, counted on the meter (this collection runs alone), and every round trip is checked
/// against System.IO.Compression.</summary>
[Collection(MetricsCollection.Name)]
public sealed class CoalescingStreamTests
{
    private const int Block = WdCompressionStreamOptions.DefaultBlockSize;

    private static (string, string) Operation(string name) => (WdMetrics.OperationTag, name);

    public static TheoryData<string> WritePatterns => ["1", "100", "4096", "1048576", "mixed"];

    private static IEnumerable<int> Pieces(string pattern, int total)
    {
        var random = new Random(17);
        int[] mixed = [1, 7, 100, 4096, 65_535, 65_536, 65_537, 200_000, 3];
        for (int done = 0; done < total;)
        {
            int n = Math.Min(total - done, pattern == "mixed" ? mixed[random.Next(mixed.Length)] : int.Parse(pattern, System.Globalization.CultureInfo.InvariantCulture));
            yield return n;
            done += n;
        }
    }

    [Theory]
    [MemberData(nameof(WritePatterns))]
    public void WritesOfAnySizeMakeOneRequestPerBlock(string pattern)
    {
        using var meter = new MeterRecorder();
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
        byte[] text = TestData.Text(1_300_000);
        var compressed = new MemoryStream();
        using (var gz = new WdGZipStream(compressed, CompressionMode.Compress, 1, leaveOpen: true, runtime))
        {
            int offset = 0;
            foreach (int n in Pieces(pattern, text.Length))
            {
                if (n == 1)
                {
                    gz.WriteByte(text[offset]);
                }
                else
                {
                    gz.Write(text, offset, n);
                }

                offset += n;
            }
        }

        double requests = meter.Sum(WdMetrics.RequestsName, Operation("compress"));
        Assert.True(requests <= Math.Ceiling(text.Length / (double)Block) + 2, $"{requests} requests for {text.Length} bytes in pieces of {pattern}");
        Assert.Equal(text, RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, compressed.ToArray()));
    }

    [Theory]
    [MemberData(nameof(WritePatterns))]
    public async Task AsyncWritesOfAnySizeMakeOneRequestPerBlock(string pattern)
    {
        using var meter = new MeterRecorder();
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
        byte[] text = TestData.Text(700_000, seed: 3);
        var compressed = new MemoryStream();
        await using (var z = new WdZLibStream(compressed, CompressionMode.Compress, new WdCompressionStreamOptions { Level = 1, LeaveOpen = true, Runtime = runtime }))
        {
            int offset = 0;
            foreach (int n in Pieces(pattern, text.Length))
            {
                await z.WriteAsync(text.AsMemory(offset, n));
                offset += n;
            }
        }

        double requests = meter.Sum(WdMetrics.RequestsName, Operation("compress"));
        Assert.True(requests <= Math.Ceiling(text.Length / (double)Block) + 2, $"{requests} requests for {text.Length} bytes in pieces of {pattern}");
        Assert.Equal(text, RuntimeCodecs.Decompress(CompressionAlgorithm.Zlib, compressed.ToArray()));
    }

    [Fact]
    public void EachFlushAddsOneRequestAndABlockSizeOfChoiceHolds()
    {
        using var meter = new MeterRecorder();
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
        byte[] text = TestData.Text(100_000, seed: 5);
        var compressed = new MemoryStream();
        using (var gz = new WdGZipStream(compressed, CompressionMode.Compress, new WdCompressionStreamOptions { Level = 1, LeaveOpen = true, Runtime = runtime, BlockSize = 16 << 10 }))
        {
            for (int offset = 0; offset < text.Length; offset += 1000)
            {
                gz.Write(text, offset, Math.Min(1000, text.Length - offset));
                if (offset % 25_000 == 0)
                {
                    gz.Flush(); // 4 flushes
                }
            }
        }

        double requests = meter.Sum(WdMetrics.RequestsName, Operation("compress"));
        Assert.True(requests <= Math.Ceiling(text.Length / (16.0 * 1024)) + 4 + 2, $"{requests} requests");
        Assert.Equal(text, RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, compressed.ToArray()));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(4096)]
    [InlineData(1 << 20)]
    public void ReadsOfAnySizeTakeABlockAtATime(int readSize)
    {
        using var meter = new MeterRecorder();
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Local });
        byte[] text = TestData.Text(readSize == 1 ? 300_000 : 1_200_000, seed: 9);
        byte[] gzip = RuntimeCodecs.Compress(CompressionAlgorithm.Gzip, text);
        var back = new MemoryStream();
        using (var gz = new WdGZipStream(new MemoryStream(gzip), CompressionMode.Decompress, 6, leaveOpen: false, runtime))
        {
            byte[] buffer = new byte[readSize];
            int n;
            while ((n = readSize == 1 ? (gz.ReadByte() is int b and >= 0 ? Put(buffer, b) : 0) : gz.Read(buffer)) > 0)
            {
                back.Write(buffer, 0, n);
            }
        }

        Assert.Equal(text, back.ToArray());
        double requests = meter.Sum(WdMetrics.RequestsName, Operation("decompress"));
        double bound = Math.Ceiling(gzip.Length / (double)Block) + Math.Ceiling(text.Length / (double)Block) + 2;
        Assert.True(requests <= bound, $"{requests} requests (bound {bound}) for reads of {readSize}");

        static int Put(byte[] buffer, int b)
        {
            buffer[0] = (byte)b;
            return 1;
        }
    }
}
