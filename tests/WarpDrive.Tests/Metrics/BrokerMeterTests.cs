using Microsoft.Extensions.Logging.Abstractions;
using WarpDrive.Abi;
using WarpDrive.Broker;
using WarpDrive.Broker.Configuration;
using WarpDrive.Compression;
using WarpDrive.Diagnostics;

namespace WarpDrive.Tests.Metrics;

/// <summary>wdd's <c>warpdrive.device.*</c> instruments: a broker run in this process (so that the test's listener hears
/// it) serves a client in this process too, and its device counters move by what the client's own meter saw.</summary>
[Collection(MetricsCollection.Name)]
public sealed class BrokerMeterTests : IDisposable
{
    private readonly string _runDirectory = Directory.CreateTempSubdirectory("wd-broker-meter-").FullName;

    public void Dispose() => Directory.Delete(_runDirectory, recursive: true);

    [Fact]
    public void DeviceCountersMoveWithTheClientsRequests()
    {
        using var meter = new MeterRecorder();
        using var stop = new CancellationTokenSource();
        var server = new BrokerServer(BrokerConfig.Default, _runDirectory, NullLogger.Instance);
        var loop = new Thread(() => server.Run(stop.Token)) { IsBackground = true, Name = "wdd loop (test)" };
        loop.Start();
        try
        {
            (string, string)[] broker = [(WdMetrics.DeviceTag, "zip-0"), (WdMetrics.LocationTag, "broker")];
            Assert.Equal(0, Assert.Single(meter.Observe("warpdrive.device.queues.in_use", broker)).Value);

            byte[] text = TestData.Text(60_000);
            byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
            CompressionResult r;
            using (var runtime = new WdRuntime(new WdRuntimeOptions { MixMode = false, Mode = WdDeviceMode.Broker, BrokerRunDirectory = _runDirectory, MaxContextsPerAlgorithm = 1 }))
            using (var c = new CompressionSession(new() { Algorithm = CompressionAlgorithm.Gzip }, runtime))
            {
                r = c.Process(text, compressed);
                Assert.Equal(CompletionStatus.Ok, r.Status);
                Assert.Equal(1, Assert.Single(meter.Observe("warpdrive.device.queues.in_use", broker)).Value);
            }

            // The client's view (libwd) and the device's (wdd) agree.
            Assert.Equal(1, meter.Sum(WdMetrics.RequestsName, broker));
            Assert.Equal(1, Assert.Single(meter.Observe("warpdrive.device.requests", broker)).Value);
            Assert.Equal(text.Length, Assert.Single(meter.Observe("warpdrive.device.bytes.in", broker)).Value);
            Assert.Equal(r.Produced, Assert.Single(meter.Observe("warpdrive.device.bytes.out", broker)).Value);
            Assert.Equal(0, Assert.Single(meter.Observe("warpdrive.device.errors", broker)).Value);
            Assert.Equal(0, Assert.Single(meter.Observe("warpdrive.device.queue.depth", broker)).Value);
            Assert.Equal(0, Assert.Single(meter.Observe("warpdrive.device.faults", broker)).Value);
        }
        finally
        {
            stop.Cancel();
            loop.Join();
            server.Dispose();
        }

        Assert.Empty(meter.Observe("warpdrive.device.requests")); // the meter went with the broker
    }
}
