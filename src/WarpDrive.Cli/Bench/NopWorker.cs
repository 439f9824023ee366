using System.Diagnostics;
using WarpDrive.Abi;

namespace WarpDrive.Cli.Bench;

/// <summary>Pipelined no-ops on raw queues (<see cref="WdQueue"/>): up to the depth in flight on each of the thread's
/// queues, refilled in batches (many SQEs, one doorbell), reaped by polling. Latency is sampled for one request in
/// <see cref="SampleEvery"/>; nothing is allocated in the loop.</summary>
internal sealed class NopWorker : BenchWorker, IOwnLoop
{
    public const int SampleEvery = 64;
    private const int StampSlots = 128; // more than depth / SampleEvery + 1 for a depth up to 4096

    private readonly WdQueue[] _queues;
    private readonly int _depth;
    private readonly Sqe[] _batch;
    private readonly long[] _stamps = new long[StampSlots];

    public NopWorker(WdQueue[] queues, int depth)
    {
        _queues = queues;
        _depth = Math.Min(depth, queues.Min(q => q.Depth));
        _batch = new Sqe[_depth];
        for (int i = 0; i < _batch.Length; i++)
        {
            _batch[i].Opcode = Opcode.Nop; // only the tag changes from one request to the next
        }
    }

    public override int InputBytes => 0;

    public override void RunSync() => throw new NotSupportedException();

    public long Loop(long deadline, LatencyRecorder latencies, BenchProgress progress, CancellationToken stop, out long outputBytes)
    {
        outputBytes = 0;
        int queueCount = _queues.Length;
        Span<long> sent = stackalloc long[queueCount];
        Span<long> done = stackalloc long[queueCount];
        int refill = Math.Max(1, Math.Min(32, _depth / 2));
        ulong sequence = 0;
        long failures = 0;
        bool open = true;
        for (int round = 0; ; round++)
        {
            bool idle = true;
            long outstanding = 0;
            for (int q = 0; q < queueCount; q++)
            {
                WdQueue queue = _queues[q];
                while (queue.TryReceive(out Cqe cqe))
                {
                    done[q]++;
                    if (cqe.Status != CompletionStatus.Ok)
                    {
                        failures++;
                    }

                    if ((cqe.UserData & (SampleEvery - 1)) == 0)
                    {
                        latencies.Add(Stopwatch.GetTimestamp() - _stamps[(int)(cqe.UserData / SampleEvery) & (StampSlots - 1)]);
                    }
                }

                long inFlight = sent[q] - done[q];
                if (inFlight > 0)
                {
                    idle = false;
                    outstanding += inFlight;
                }

                int free = _depth - (int)inFlight;
                if (open && (free >= refill || inFlight == 0))
                {
                    for (int i = 0; i < free; i++)
                    {
                        ulong tag = sequence + (ulong)i;
                        _batch[i].UserData = tag;
                        if ((tag & (SampleEvery - 1)) == 0)
                        {
                            _stamps[(int)(tag / SampleEvery) & (StampSlots - 1)] = Stopwatch.GetTimestamp();
                        }
                    }

                    int published = queue.Send(_batch.AsSpan(0, free));
                    sequence += (ulong)published;
                    sent[q] += published;
                    idle = false; // tags not published (a ring fuller than counted) are reused, and restamped, next time
                }
            }

            if (!open && idle)
            {
                break;
            }

            if ((round & 15) == 0)
            {
                progress.InFlight = (int)outstanding;
                long completed = 0;
                foreach (long d in done)
                {
                    completed += d;
                }

                progress.Complete(completed - progress.Completed);
            }

            if ((round & 15) == 0 && open && (Stopwatch.GetTimestamp() >= deadline || stop.IsCancellationRequested))
            {
                open = false;
            }
        }

        progress.InFlight = 0;
        if (failures > 0)
        {
            Fail($"{failures} no-ops completed with an error");
        }

        long total = 0;
        foreach (long d in done)
        {
            total += d;
        }

        return total;
    }

    public override void Dispose()
    {
        foreach (WdQueue queue in _queues)
        {
            queue.Dispose();
        }

        base.Dispose();
    }
}
