using System.Diagnostics.Metrics;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Crypto;
using WarpDrive.Diagnostics;

namespace WarpDrive.Tests.Metrics;

/// <summary>With a listener on every instrument of the meter, the request path still allocates nothing in steady state:
/// the tags are a <see cref="System.Diagnostics.TagList"/> of strings made in advance.</summary>
[Collection(MetricsCollection.Name)]
public sealed class MeterAllocationTests
{
    [Fact]
    public void MeasuredSyncRequestsAllocateNothingInSteadyState()
    {
        long requests = 0, bytesIn = 0, durations = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == WdMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        // Callbacks that allocate nothing themselves: what is left is the library's.
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == WdMetrics.RequestsName)
            {
                requests += value;
            }
            else if (instrument.Name == WdMetrics.BytesInName)
            {
                bytesIn += value;
            }
        });
        listener.SetMeasurementEventCallback<double>((_, _, _, _) => durations++);
        listener.Start();

        using WdRuntime runtime = Engines.Runtime("zlib");
        byte[] text = TestData.Text(4096);
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        byte[] hash = new byte[32];
        using var c = new CompressionSession(new() { Level = 1 }, runtime);
        using var sha = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);
        for (int i = 0; i < 100; i++)
        {
            c.Process(text, output);
            sha.ComputeHash(text, hash);
        }

        long requests0 = requests, bytesIn0 = bytesIn, durations0 = durations;
        int failures = 0;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            failures += c.Process(text, output).Status == CompletionStatus.Ok ? 0 : 1;
            failures += sha.ComputeHash(text, hash) == 32 ? 0 : 1;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, failures);
        Assert.Equal(0, allocated);
        Assert.Equal(2000, requests - requests0); // and the listener heard every one of them
        Assert.Equal(2000L * text.Length, bytesIn - bytesIn0);
        Assert.Equal(2000, durations - durations0);
    }
}
