using WarpDrive.Compression;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Reliability;

/// <summary>A session that outlives its broker: after the broker is gone its requests fail with a clear error, and
/// once a new broker serves the run directory the same session (and runtime) goes on there.</summary>
[Trait(Tiers.Name, Tiers.Reliability)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerRestartSessionTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheSameSessionGoesOnOnARestartedBroker(bool kill)
    {
        const string Config = """{ "devices": [ { "name": "zip-0", "queues": 4 } ] }""";
        BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        string runDirectory = broker.RunDirectory;
        try
        {
            using WdRuntime runtime = broker.CreateRuntime(maxCompressionContexts: 1);
            using var session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, runtime);
            byte[] text = TestData.Text(64 << 10, seed: 9);
            byte[] packed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
            Assert.True(session.Process(text, packed).IsOk);

            if (kill)
            {
                broker.Kill();
            }

            broker.KeepRunDirectory = true;
            await broker.DisposeAsync();
            WdException gone = Assert.ThrowsAny<WdException>(() => session.Process(text, packed));
            output.WriteLine($"with the broker gone: {gone.Message}");

            broker = await BrokerProcess.StartAsync(Config, output, runDirectory: runDirectory);
            CompressionResult again = session.Process(text, packed);
            Assert.True(again.IsOk, again.Status.ToString());
            Assert.Equal(text, BrokerTestKit.Gunzip(packed.AsSpan(0, again.Produced)));
            Assert.Equal("3", broker.ReadAttribute("zip-0", "available_instances")); // served by the new broker
        }
        finally
        {
            await broker.DisposeAsync();
        }
    }
}
