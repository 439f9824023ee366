using System.Diagnostics;
using System.Threading.Tasks.Sources;
using WarpDrive.Abi;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Pipeline;

/// <summary>The one request pipeline every algorithm library uses (UADK's <c>wd_handle_msg_sync</c> and its async
/// twin): pick a context, rent a slot, prepare it, let the library build the request (pin, share, parameters, SQE),
/// submit, wait or let the poller complete, release; and the rollback of each step, so that a failure anywhere
/// leaves no slot, pin or share behind and the owner counts the request out exactly once. The sessions keep only
/// their parameters and results.</summary>
/// <remarks>One per session. The owner counts a request in before it calls the pipeline (a session that is disposed,
/// or a stream session already busy, refuses it there) and the pipeline guarantees the matching count-out
/// (<see cref="IRequestOwner"/>).</remarks>
internal sealed partial class RequestPipeline(ContextBinding binding, IRequestOwner owner)
{
    /// <summary>Step 1 (pick), rolled back by counting the request out.</summary>
    private WdContext Pick(bool async, int operation, int length, out DevicePool pool)
    {
        try
        {
            PipelineFaults.Check(owner, PipelineStep.Pick);
            return binding.Pick(async, operation, length, out pool);
        }
        catch
        {
            owner.OnAbandoned();
            throw;
        }
    }

    /// <summary>A synchronous request (UADK's <c>wd_handle_msg_sync</c>): pick, rent (waiting for a slot when all
    /// are in flight), prepare, build, submit, wait for the completion, release. Whatever step fails, the buffers, the
    /// slot and the in-flight count go back and the owner counts the request out.</summary>
    /// <param name="builder">The library's part; synchronous callers keep their buffers pinned (<c>fixed</c>) around
    /// the call, so it may be a ref struct over spans and pointers.</param>
    /// <param name="counted">false for a request the owner did not count in (a stream's release, made by the session
    /// itself, maybe while one of its requests is in flight): the owner hears nothing of it.</param>
    public Cqe Run<TBuilder>(int operation, int length, bool last, ref TBuilder builder, bool counted = true)
        where TBuilder : IRequestBuilder, allows ref struct
    {
        IRequestOwner? counter = counted ? owner : null;
        WdContext context;
        DevicePool pool;
        RequestSlot slot;
        try
        {
            PipelineFaults.Check(owner, PipelineStep.Pick);
            context = binding.Pick(async: false, operation, length, out pool);
            PipelineFaults.Check(owner, PipelineStep.Rent);
            slot = context.Rent();
        }
        catch
        {
            counter?.OnAbandoned();
            throw;
        }

        bool completed = false;
        try
        {
            slot.Prepare(isAsync: false, null, last);
            long submittedAt = context.IsInline ? 0 : Stopwatch.GetTimestamp(); // inline: done on return, nothing to estimate
            bool submitted = false;
            Submit(context, pool, slot, ref builder, ref submitted);
            context.WaitSync(slot, submittedAt);
            PipelineFaults.Check(owner, PipelineStep.Wait); // after the wait: a slot in flight must not be reused
            Cqe cqe = slot.Completion;
            completed = true;
            counter?.OnCompleted(in cqe, last);
            return cqe;
        }
        finally
        {
            if (!completed)
            {
                context.AbandonSync(slot); // submitted, but its wait failed: it will never complete
            }

            slot.ReleaseBuffers();
            context.Return(slot);
            if (!completed)
            {
                counter?.OnAbandoned();
            }
        }
    }

    /// <summary>An asynchronous request whose result is the slot's <see cref="ValueTask{TResult}"/>: submits it and
    /// returns at once (waiting asynchronously for a slot when all are in flight: backpressure). The buffers stay
    /// pinned until the device completes it. Cancellation applies only until submission.</summary>
    /// <typeparam name="TBuilder">The library's request (<see cref="IRequestBuilder"/>).</typeparam>
    /// <typeparam name="TResult">What the slot maps the completion to: <see cref="Compression.CompressionResult"/>,
    /// or <see cref="int"/> and <see cref="bool"/> through <paramref name="mapper"/>.</typeparam>
    public ValueTask<TResult> RunAsync<TBuilder, TResult>(int operation, int length, bool last, TBuilder builder, CompletionMapper? mapper,
        CancellationToken cancellationToken)
        where TBuilder : struct, IRequestBuilder
    {
        WdContext context = Pick(async: true, operation, length, out DevicePool pool);
        if (!TryRent(context, out RequestSlot slot))
        {
            return RunSlowAsync<TBuilder, TResult>(context, pool, last, builder, mapper, cancellationToken);
        }

        Start(context, pool, slot, last, ref builder, mapper, null, null, null);
        return new ValueTask<TResult>((IValueTaskSource<TResult>)(object)slot, slot.Version);
    }

    private async ValueTask<TResult> RunSlowAsync<TBuilder, TResult>(WdContext context, DevicePool pool, bool last, TBuilder builder,
        CompletionMapper? mapper, CancellationToken cancellationToken)
        where TBuilder : struct, IRequestBuilder
    {
        RequestSlot slot = await RentAsync(context, cancellationToken).ConfigureAwait(false);
        Start(context, pool, slot, last, ref builder, mapper, null, null, null);
        return await new ValueTask<TResult>((IValueTaskSource<TResult>)(object)slot, slot.Version).ConfigureAwait(false);
    }

    /// <summary>An asynchronous request whose result goes to <paramref name="callback"/> through
    /// <paramref name="invoker"/>, without waiting for anything: false (BUSY, nothing submitted, the request counted
    /// out) when every slot of the chosen context is in flight. Every request accepted completes exactly once.</summary>
    public bool TrySubmit<TBuilder>(int operation, int length, bool last, TBuilder builder, SlotCallback invoker, object callback, object? state)
        where TBuilder : struct, IRequestBuilder
    {
        WdContext context = Pick(async: true, operation, length, out DevicePool pool);
        if (!TryRent(context, out RequestSlot slot))
        {
            owner.OnAbandoned();
            return false;
        }

        Start(context, pool, slot, last, ref builder, null, invoker, callback, state);
        return true;
    }

    /// <summary>As <see cref="TrySubmit"/>, but waits (asynchronously) for a free slot; the task completes when the
    /// request is submitted, not when it is done.</summary>
    public async ValueTask SubmitAsync<TBuilder>(int operation, int length, bool last, TBuilder builder, SlotCallback invoker, object callback,
        object? state, CancellationToken cancellationToken)
        where TBuilder : struct, IRequestBuilder
    {
        WdContext context = Pick(async: true, operation, length, out DevicePool pool);
        RequestSlot slot = await RentAsync(context, cancellationToken).ConfigureAwait(false);
        Start(context, pool, slot, last, ref builder, null, invoker, callback, state);
    }

    /// <summary>Step 2 without waiting; a fault injected here counts the request out.</summary>
    private bool TryRent(WdContext context, out RequestSlot slot)
    {
        try
        {
            PipelineFaults.Check(owner, PipelineStep.Rent);
        }
        catch
        {
            owner.OnAbandoned();
            throw;
        }

        return context.TryRent(out slot);
    }

    /// <summary>Step 2, waiting for a slot to come free; a cancelled wait counts the request out.</summary>
    private async ValueTask<RequestSlot> RentAsync(WdContext context, CancellationToken cancellationToken)
    {
        try
        {
            PipelineFaults.Check(owner, PipelineStep.Rent);
            return await context.RentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            owner.OnAbandoned();
            throw;
        }
    }

    /// <summary>Steps 3 and 4 of an async request: prepare, build, submit. Until the request is in flight a failure
    /// gives back the buffers and the slot and counts the request out; once it is in flight the slot belongs to its
    /// completion (an inline request's callback that threw has had its slot back already).</summary>
    private void Start<TBuilder>(WdContext context, DevicePool pool, RequestSlot slot, bool last, ref TBuilder builder, CompletionMapper? mapper,
        SlotCallback? invoker, object? callback, object? state)
        where TBuilder : struct, IRequestBuilder
    {
        bool submitted = false;
        try
        {
            slot.Prepare(isAsync: true, owner, last, mapper);
            if (invoker is not null)
            {
                slot.SetCallback(invoker, callback!, state);
            }

            Submit(context, pool, slot, ref builder, ref submitted);
        }
        catch when (!submitted)
        {
            // Submit clears InFlight itself when it fails; before Submit the slot was never in flight.
            slot.ReleaseBuffers();
            context.Return(slot);
            owner.OnAbandoned();
            throw;
        }
    }

    /// <summary>The steps every request shares once its slot is prepared: the library builds it, then it is published
    /// (<paramref name="submitted"/> turns true once it is in flight).</summary>
    private void Submit<TBuilder>(WdContext context, DevicePool pool, RequestSlot slot, ref TBuilder builder, ref bool submitted)
        where TBuilder : IRequestBuilder, allows ref struct
    {
        Sqe sqe = builder.Build(slot, pool);
        PipelineFaults.Check(owner, PipelineStep.Build);
        PipelineFaults.Check(owner, PipelineStep.Submit);
        context.Submit(slot, in sqe, ref submitted);
    }

    /// <summary>Completes finished asynchronous requests of the library without blocking.</summary>
    public int Poll(int max) => binding.Poll(max);
}
