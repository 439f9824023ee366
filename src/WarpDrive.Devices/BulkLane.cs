using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using WarpDrive.Abi;

namespace WarpDrive.Devices;

/// <summary>The device's thread for long requests: those that name more memory than
/// <see cref="DeviceHostOptions.BulkThresholdBytes"/> (<see cref="RequestMemory.OverBudget"/>) or that the model calls
/// long (<see cref="DeviceModel.IsLong"/>). An engine hands such a request here instead of running it, so that it
/// never holds the engine for the other queues; the operating system shares the CPU between this thread and the
/// engines. Waiting requests run in fair-queuing order: the tenant that has had the least engine time divided by its
/// weight goes first.</summary>
/// <remarks>While the lane holds a queue's request the queue is <see cref="HardwareQueue.InBulk"/>: its engine skips
/// it, so requests of one queue still complete in order. A queue released or restarted meanwhile is recognised by
/// its <see cref="HardwareQueue.Generation"/> and its request dropped (nobody waits for it).</remarks>
internal sealed unsafe class BulkLane : IDisposable
{
    private readonly DeviceHost _host;
    private readonly Thread _thread;
    private readonly object _lock = new(); // Monitor: the lane waits on it
    private readonly List<(HardwareQueue Queue, int Generation)> _waiting = [];
    private long _clock; // virtual time of the request last started
    private bool _stopping;
    private bool _started;

    public BulkLane(DeviceHost host)
    {
        _host = host;
        _thread = new Thread(Run) { IsBackground = true, Name = $"{host.Name}-bulk" };
    }

    /// <summary>Takes <paramref name="sqe"/>, already consumed from <paramref name="queue"/>'s ring by its engine, which
    /// holds the queue.</summary>
    public void Enqueue(HardwareQueue queue, in Sqe sqe)
    {
        queue.BulkSqe = sqe;
        queue.InBulk = true;
        lock (_lock)
        {
            queue.Tenant.CatchUp(_clock);
            _waiting.Add((queue, queue.Generation));
            if (!_started)
            {
                _started = true; // started on first use: most devices never see a long request
                _thread.Start();
            }

            Monitor.Pulse(_lock);
        }
    }

    private void Run()
    {
        object? state = QueueWorker.CreateState(_host, 0);
        try
        {
            while (TryTake(state, out HardwareQueue? queue, out int generation))
            {
                RunHeld(queue, generation, state);
            }
        }
        finally
        {
            _host.Model.DisposeEngineState(state);
        }
    }

    private bool TryTake(object? state, [NotNullWhen(true)] out HardwareQueue? queue, out int generation)
    {
        lock (_lock)
        {
            int pick;
            while ((pick = Pick(out long wakeAt)) < 0)
            {
                if (_stopping)
                {
                    queue = null;
                    generation = 0;
                    return false;
                }

                if (_waiting.Count == 0)
                {
                    // Idle: the model forgets what it cached for the requests it ran (keys), as an engine does.
                    _host.Model.OnEngineIdle(state);
                    Monitor.Wait(_lock);
                }
                else
                {
                    // Every waiting request is of a tenant over its cap: wait until the first may run.
                    Monitor.Wait(_lock, Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), wakeAt) + TimeSpan.FromMilliseconds(1));
                }
            }

            (queue, generation) = _waiting[pick];
            _waiting.RemoveAt(pick);
            _clock = Math.Max(_clock, Clock(queue));
            return true;
        }
    }

    /// <summary>The waiting request to run next: the least clock among tenants not over their cap; -1 when none may run
    /// (<paramref name="wakeAt"/>: when the first may). Under the lock.</summary>
    private int Pick(out long wakeAt)
    {
        wakeAt = long.MaxValue;
        long now = 0;
        int pick = -1;
        for (int i = 0; i < _waiting.Count; i++)
        {
            DeviceTenant? tenant = _waiting[i].Queue.TenantOrNull;
            if (tenant is { IsCapped: true })
            {
                now = now == 0 ? Stopwatch.GetTimestamp() : now;
                if (!tenant.TryAdmit(tenant.BulkSlot, now, out long eligibleAt))
                {
                    wakeAt = Math.Min(wakeAt, eligibleAt);
                    continue;
                }
            }

            if (pick < 0 || Clock(_waiting[i].Queue) < Clock(_waiting[pick].Queue))
            {
                pick = i;
            }
        }

        return pick;
    }

    // A queue released since it was listed may have no tenant any more: it is dropped when it is run.
    private static long Clock(HardwareQueue queue) => queue.TenantOrNull?.VirtualTicks ?? long.MinValue;

    private void RunHeld(HardwareQueue queue, int generation, object? state)
    {
        // The engine left the queue when it handed the request over; a stop or a grace period may hold it a moment.
        SpinWait spin = default;
        while (!queue.TryEnter())
        {
            if (queue.Generation != generation)
            {
                return;
            }

            spin.SpinOnce(sleep1Threshold: -1);
        }

        try
        {
            if (queue.Generation != generation || !queue.InBulk || !queue.IsServing)
            {
                return;
            }

            if (_host.IsIsolated)
            {
                queue.DisableHeld(QueueDisableReason.DeviceIsolated);
                return;
            }

            long start = Stopwatch.GetTimestamp();
            QueueWorker.RunRequest(_host, queue, in queue.BulkSqe, state);
            long ticks = Stopwatch.GetTimestamp() - start;
            queue.Stats->BusyNanos += (ulong)(ticks * QueueWorker.NanosPerTick);
            lock (_lock)
            {
                queue.Tenant.ChargeBulk(ticks);
            }
        }
        finally
        {
            if (queue.Generation == generation)
            {
                queue.InBulk = false;
            }

            queue.Exit();
            queue.Worker.Wake(); // it skipped the queue meanwhile and did not listen to its doorbell
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _stopping = true;
            _waiting.Clear();
            Monitor.PulseAll(_lock);
            if (!_started)
            {
                return;
            }
        }

        _thread.Join();
    }
}
