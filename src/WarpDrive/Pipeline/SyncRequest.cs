using System.Diagnostics;
using WarpDrive.Abi;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Pipeline;

/// <summary>One synchronous request between <see cref="RequestPipeline.BeginSync"/> and its disposal: the caller keeps
/// its buffers pinned (<c>fixed</c>) and shares them through <see cref="Slot"/>, builds the SQE and calls
/// <see cref="Run"/>. Disposing withdraws every share and pin, gives the slot back, and counts the request out when it
/// did not complete, whatever step failed.</summary>
internal ref struct SyncRequest
{
    private readonly object _owner; // who fault injection names
    private readonly IRequestOwner? _counter; // null: an uncounted request
    private readonly WdContext _context;
    private readonly bool _last;
    private bool _completed;
    private bool _disposed;

    internal SyncRequest(IRequestOwner owner, IRequestOwner? counter, WdContext context, DevicePool pool, RequestSlot slot, bool last)
    {
        _owner = owner;
        _counter = counter;
        _context = context;
        Pool = pool;
        Slot = slot;
        _last = last;
    }

    /// <summary>The request's slot (prepared): share the buffers and use its scratch through it.</summary>
    public readonly RequestSlot Slot { get; }

    /// <summary>The pool of the chosen context: where the session's key must be.</summary>
    public readonly DevicePool Pool { get; }

    /// <summary>The SQE's <c>UserData</c>.</summary>
    public readonly ulong Tag => Slot.Tag;

    /// <summary>Submits <paramref name="sqe"/> and reaps until it completes; the owner sees the completion.</summary>
    public Cqe Run(in Sqe sqe)
    {
        PipelineFaults.Check(_owner, PipelineStep.Build);
        PipelineFaults.Check(_owner, PipelineStep.Submit);
        long submittedAt = _context.IsInline ? 0 : Stopwatch.GetTimestamp(); // inline: done on return, nothing to estimate
        _context.Submit(Slot, in sqe);
        _context.WaitSync(Slot, submittedAt);
        PipelineFaults.Check(_owner, PipelineStep.Wait); // after the wait: the slot must not be reused while in flight
        Cqe cqe = Slot.Completion;
        _completed = true;
        _counter?.OnCompleted(in cqe, _last);
        return cqe;
    }

    /// <summary>Withdraws the shares and pins, returns the slot, and counts an uncompleted request out.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_completed)
        {
            _context.AbandonSync(Slot); // submitted but its wait failed: it will never complete
        }

        Slot.ReleaseBuffers();
        _context.Return(Slot);
        if (!_completed)
        {
            _counter?.OnAbandoned();
        }
    }
}
