using WarpDrive.Compression;
using WarpDrive.Tests.Frames;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>A zstd dictionary through a real wdd: the session's copy of it is memory the broker's engine reads (a
/// region, or this process's memory read across with SVA), in block and stream mode.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerZstdDictionaryTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ADictionarySessionRoundTripsThroughTheBrokerAndShrinksRecords()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        using WdRuntime runtime = broker.CreateRuntime();
        byte[] dictionary = [.. Enumerable.Range(0, 40).SelectMany(i => ZstdDictionaryTests.Record(i, 5))]; // raw content
        foreach (SessionMode mode in new[] { SessionMode.Block, SessionMode.Stream })
        {
            using var primed = new CompressionSession(new CompressionSessionOptions
            {
                Algorithm = CompressionAlgorithm.Zstd, Level = 3, Mode = mode, Dictionary = dictionary,
            }, runtime);
            using var plain = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Zstd, Level = 3, Mode = mode }, runtime);
            using var unpack = new CompressionSession(new CompressionSessionOptions
            {
                Algorithm = CompressionAlgorithm.Zstd, Direction = CompressionDirection.Decompress, Mode = mode, Dictionary = dictionary,
            }, runtime);
            Assert.Equal("broker", primed.Device.Location);
            byte[] packed = new byte[4096], back = new byte[4096];
            for (int i = 100; i < 120; i++)
            {
                byte[] record = ZstdDictionaryTests.Record(i, 5);
                CompressionResult r = primed.Process(record, packed);
                CompressionResult p = plain.Process(record, new byte[4096]);
                Assert.True(r.IsOk && p.IsOk, $"{r} / {p}");
                Assert.True(r.Produced < p.Produced, $"{mode}: {r.Produced} bytes with the dictionary, {p.Produced} without");
                CompressionResult u = unpack.Process(packed.AsSpan(0, r.Produced), back);
                Assert.True(u.IsOk && back.AsSpan(0, u.Produced).SequenceEqual(record), $"{mode}: {u}");
            }
        }
    }
}
