using BenchmarkDotNet.Attributes;
using WarpDrive.Abi;

namespace WarpDrive.Benchmarks;

/// <summary>One no-op request through an in-process queue and back: publish an SQE, the engine thread polls it,
/// posts a CQE, the caller polls that. The queue itself, nothing else.</summary>
[MemoryDiagnoser]
public class QueueRoundTripBenchmark
{
    private WdRuntime _runtime = null!;
    private WdQueue _queue = null!;
    private ulong _tag;

    [GlobalSetup]
    public void Setup()
    {
        _runtime = new WdRuntime(new WdRuntimeOptions
        {
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 1, WorkerCount = 1, SpinBeforeSleep = TimeSpan.FromMilliseconds(5) },
        });
        _queue = _runtime.RequestQueue("deflate");
        _queue.SpinBeforeSleep = TimeSpan.FromMilliseconds(5);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _queue.Dispose();
        _runtime.Dispose();
    }

    [Benchmark]
    public Cqe NopRoundTrip()
    {
        var sqe = new Sqe { UserData = ++_tag, Opcode = Opcode.Nop };
        _queue.TrySend(in sqe);
        _queue.Flush();
        Cqe cqe;
        while (!_queue.TryReceive(out cqe))
        {
            Thread.SpinWait(1);
        }

        return cqe;
    }
}
