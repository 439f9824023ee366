using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using WarpDrive.Diagnostics;
using WarpDrive.Queues;

namespace WarpDrive.Benchmarks;

/// <summary>What the <c>WarpDrive</c> meter costs a request: <see cref="Reap"/> is the work the reaper adds per
/// completion (the check; with a listener the tags and the five measurements), <see cref="Sha256Sync64B"/> a whole
/// synchronous 64-byte SHA-256 request through the in-process SEC device (the smallest request, where a fixed cost
/// shows most). Listeners: <c>none</c>; <c>minimal</c>, a <see cref="MeterListener"/> on every instrument whose
/// callbacks only add the value to a field (the library's own side); <c>dotnet-counters</c>, the runtime's metrics
/// event source aggregating the meter as it does for <c>dotnet-counters monitor --counters WarpDrive</c>.</summary>
[MemoryDiagnoser]
public class MetricsOverheadBenchmark
{
    private WdRuntime _runtime = null!;
    private WdContext _context = null!;
    private RequestSlot _slot = null!;
    private DigestSession _sha = null!;
    private MeterListener? _listener;
    private readonly byte[] _data = new byte[64];
    private readonly byte[] _hash = new byte[32];
    private Cqe _cqe;
    private long _sum;

    private CountersSessionListener? _counters;

    [Params("none", "minimal", "dotnet-counters")]
    public string Listener { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        if (Listener == "dotnet-counters")
        {
            _counters = new CountersSessionListener();
        }

        if (Listener == "minimal")
        {
            _listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == WdMetrics.MeterName)
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => _sum += value);
            _listener.SetMeasurementEventCallback<double>((_, value, _, _) => _sum += (long)value);
            _listener.Start();
        }

        if (Listener != "none" && !SpinWait.SpinUntil(() => WdMetrics.AnyRequestInstrumentEnabled, TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException($"the {Listener} listener did not enable the WarpDrive instruments");
        }

        _runtime = new WdRuntime(new WdRuntimeOptions
        {
            Mode = WdDeviceMode.Local,
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 4, WorkerCount = 1, SpinBeforeSleep = TimeSpan.FromMilliseconds(5) },
        });
        _context = new WdContext(_runtime.RequestQueue("gzip"), poller: null);
        _slot = new RequestSlot(_context, 0);
        _slot.Prepare(isAsync: true, session: null, last: true);
        var sqe = new Sqe { Opcode = Opcode.Compress, Algorithm = (byte)CompAlgorithm.Gzip, SrcLen = 65536 };
        _slot.NoteSubmission(in sqe);
        _slot.SubmittedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        _cqe = new Cqe { Status = CompletionStatus.Ok, Produced = 20_000, Consumed = 65536 };
        _sha = new DigestSession(DigestAlgorithm.Sha256, runtime: _runtime);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _sha.Dispose();
        _context.Dispose();
        _runtime.Dispose();
        _listener?.Dispose();
        _counters?.Dispose();
    }

    /// <summary>What <c>WdContext.ReapLocked</c> adds per completion.</summary>
    [Benchmark]
    public long Reap()
    {
        if (WdMetrics.AnyRequestInstrumentEnabled)
        {
            _context.Metrics.Completed(_slot, in _cqe);
        }

        return _sum;
    }

    [Benchmark]
    public int Sha256Sync64B() => _sha.ComputeHash(_data, _hash);
}
