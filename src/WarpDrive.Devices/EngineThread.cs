using System.Diagnostics;
using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Platform;

namespace WarpDrive.Devices;

/// <summary>One engine of a device: a thread that polls its queues, validates and executes SQEs, and posts CQEs.
/// Idle, it spins for a bounded time, then sets each queue's <c>device_waiting</c> flag and sleeps on a futex
/// word; a producer that sees the flag rings the doorbell (<see cref="Wake"/>).</summary>
internal sealed unsafe class EngineThread : IDisposable
{
    private const int BatchPerQueue = 32;

    private readonly DeviceHost _host;
    private readonly Thread _thread;
    private readonly uint* _wakeWord = (uint*)NativeMemory.AllocZeroed(sizeof(uint));
    private HardwareQueue[] _queues = [];
    private volatile bool _stopping;

    public EngineThread(DeviceHost host, int index)
    {
        _host = host;
        _thread = new Thread(Run) { IsBackground = true, Name = $"{host.Name}-engine-{index}" };
    }

    public void Start(HardwareQueue[] queues)
    {
        _queues = queues;
        _thread.Start();
    }

    public void Wake()
    {
        Interlocked.Increment(ref *_wakeWord);
        Futex.Wake((nint)_wakeWord);
    }

    private void Run()
    {
        object? state = _host.Model.CreateEngineState();
        long spinTicks = (long)(_host.Options.SpinBeforeSleep.TotalSeconds * Stopwatch.Frequency);
        long idleSince = 0;
        try
        {
            while (!_stopping)
            {
                if (ServeAll(state))
                {
                    idleSince = 0;
                    continue;
                }

                long now = Stopwatch.GetTimestamp();
                if (idleSince == 0)
                {
                    idleSince = now;
                }

                if (now - idleSince < spinTicks)
                {
                    Thread.SpinWait(20);
                    continue;
                }

                Sleep();
                idleSince = 0;
            }
        }
        finally
        {
            _host.Model.DisposeEngineState(state);
        }
    }

    private void Sleep()
    {
        uint snapshot = Volatile.Read(ref *_wakeWord);
        foreach (HardwareQueue q in _queues)
        {
            Volatile.Write(ref q.Region.DeviceWaiting, 1u);
        }

        // Dekker: flags visible before we look at the rings again; a producer publishes, fences, then reads the flag.
        Interlocked.MemoryBarrier();
        bool work = false;
        foreach (HardwareQueue q in _queues)
        {
            // A waiting SQE keeps the engine awake even when the CQ is full: the client frees CQ slots without a
            // doorbell, so a sleeping engine would notice only at the timeout.
            work |= q.State == QueueState.Started && q.Sq.HasWork();
        }

        if (!work && !_stopping)
        {
            // The timeout bounds the damage of a lost wake-up from a misbehaving client.
            Futex.Wait((nint)_wakeWord, snapshot, _host.Options.IdleSleepTimeout);
        }

        foreach (HardwareQueue q in _queues)
        {
            Volatile.Write(ref q.Region.DeviceWaiting, 0u);
        }
    }

    private bool ServeAll(object? state)
    {
        bool any = false;
        foreach (HardwareQueue q in _queues)
        {
            if (!q.TryEnter())
            {
                continue;
            }

            try
            {
                if (q.State == QueueState.Started)
                {
                    any |= Serve(q, state);
                }
            }
            finally
            {
                q.Exit();
            }
        }

        return any;
    }

    private bool Serve(HardwareQueue q, object? state)
    {
        int served = 0;
        while (served < BatchPerQueue && !q.StopRequested && q.Cq.HasSpace() && q.Sq.TryConsume(out Sqe sqe))
        {
            Cqe cqe = default;
            cqe.UserData = sqe.UserData;
            Execute(in sqe, q, state, ref cqe);
            if (cqe.Status is not (CompletionStatus.Ok or CompletionStatus.OutOfSpace))
            {
                Interlocked.Increment(ref q.Region.ErrorCount);
            }

            q.Cq.Post(in cqe);
            if (q.Cq.PublishAndCheckWaiter())
            {
                Futex.Wake(q.Region.CqWakeAddress);
            }

            served++;
        }

        return served > 0;
    }

    private void Execute(in Sqe sqe, HardwareQueue q, object? state, ref Cqe cqe)
    {
        // Generic checks every device applies; the model checks its own fields and every address.
        if (sqe.Reserved0 != 0 || sqe.Reserved1 != 0 || sqe.Reserved2 != 0 || sqe.Reserved3 != 0
            || (sqe.Flags & ~SqeFlags.All) != 0)
        {
            cqe.Status = CompletionStatus.BadRequest;
            return;
        }

        if (sqe.Opcode == Opcode.Nop)
        {
            cqe.Status = CompletionStatus.Ok;
            return;
        }

        try
        {
            _host.Model.Execute(in sqe, q, state, ref cqe);
        }
        catch (Exception e) when (e is InvalidOperationException or OutOfMemoryException or DllNotFoundException or EntryPointNotFoundException)
        {
            // A fault of the device itself, never the client's: report it, keep serving.
            cqe.Status = CompletionStatus.InternalError;
            _host.RecordFault(e);
        }
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        if (_thread.IsAlive)
        {
            _thread.Join();
        }

        NativeMemory.Free(_wakeWord);
    }
}
