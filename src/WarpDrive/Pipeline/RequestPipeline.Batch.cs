using System.Buffers;
using System.Diagnostics;
using WarpDrive.Abi;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Pipeline;

// Batches: block requests published with one doorbell. The owner counted the batch in once (its disposal check) and
// is not told of each request: batches are for sessions that count nothing per request (block compression).
internal sealed partial class RequestPipeline
{
    /// <summary>Submits as many requests of <paramref name="batch"/> (from the first) as the context has free slots for,
    /// with one doorbell; each result goes to <paramref name="callback"/> through <paramref name="invoker"/>.</summary>
    /// <returns>How many were submitted; the rest found the queue full.</returns>
    public int SubmitBatch<TBatch>(int operation, int length, ref TBatch batch, SlotCallback invoker, object callback)
        where TBatch : IBatchBuilder, allows ref struct
    {
        PipelineFaults.Check(owner, PipelineStep.Pick);
        WdContext context = binding.Pick(async: true, operation, length, out DevicePool pool);
        RequestSlot[] slots = ArrayPool<RequestSlot>.Shared.Rent(batch.Count);
        int rented = 0;
        try
        {
            PipelineFaults.Check(owner, PipelineStep.Rent);
            while (rented < batch.Count && context.TryRent(out slots[rented]))
            {
                rented++;
            }

            if (rented > 0)
            {
                Publish(context, pool, ref batch, 0, slots.AsSpan(0, rented), isAsync: true, invoker, callback);
            }

            return rented;
        }
        finally
        {
            Array.Clear(slots, 0, rented);
            ArrayPool<RequestSlot>.Shared.Return(slots);
        }
    }

    /// <summary>Runs every request of <paramref name="batch"/> and waits for all of them, as many per doorbell as the
    /// context has slots (waiting for free ones when other callers hold some).</summary>
    public void ProcessBatch<TBatch>(int operation, int length, ref TBatch batch)
        where TBatch : IBatchBuilder, allows ref struct
    {
        PipelineFaults.Check(owner, PipelineStep.Pick);
        WdContext context = binding.Pick(async: false, operation, length, out DevicePool pool);
        int done = 0;
        while (done < batch.Count)
        {
            int count = Math.Min(batch.Count - done, context.Depth);
            RequestSlot[] slots = ArrayPool<RequestSlot>.Shared.Rent(count);
            int rented = 0;
            try
            {
                PipelineFaults.Check(owner, PipelineStep.Rent);
                // One slot waited for, the rest only if free: two batches on one context must not each hold part of
                // its slots while waiting for the other's.
                slots[rented++] = context.Rent();
                while (rented < count && context.TryRent(out slots[rented]))
                {
                    rented++;
                }

                count = rented;
                Publish(context, pool, ref batch, done, slots.AsSpan(0, count), isAsync: false, null, null);
                long submittedAt = Stopwatch.GetTimestamp();
                for (int i = 0; i < count; i++)
                {
                    context.WaitSync(slots[i], submittedAt);
                    batch.Complete(done + i, slots[i].Completion);
                }

                PipelineFaults.Check(owner, PipelineStep.Wait);
            }
            finally
            {
                for (int i = 0; i < rented; i++)
                {
                    context.AbandonSync(slots[i]); // a failed wait leaves the rest in flight: they will never complete
                    slots[i].ReleaseBuffers();
                    context.Return(slots[i]);
                }

                Array.Clear(slots, 0, rented);
                ArrayPool<RequestSlot>.Shared.Return(slots);
            }

            done += count;
        }
    }

    /// <summary>Prepares <paramref name="slots"/> for the batch's requests from <paramref name="first"/> on and
    /// publishes them with one doorbell. If that fails before they are in flight, an async batch's slots are given
    /// back here (a synchronous caller gives its own back).</summary>
    private void Publish<TBatch>(WdContext context, DevicePool pool, ref TBatch batch, int first, Span<RequestSlot> slots, bool isAsync,
        SlotCallback? invoker, object? callback)
        where TBatch : IBatchBuilder, allows ref struct
    {
        Sqe[] sqes = ArrayPool<Sqe>.Shared.Rent(slots.Length);
        bool submitted = false;
        try
        {
            for (int i = 0; i < slots.Length; i++)
            {
                RequestSlot slot = slots[i];
                slot.Prepare(isAsync, null, last: true);
                if (invoker is not null)
                {
                    slot.SetCallback(invoker, callback!, batch.StateOf(first + i));
                }

                sqes[i] = batch.Build(first + i, slot, pool);
            }

            PipelineFaults.Check(owner, PipelineStep.Build);
            PipelineFaults.Check(owner, PipelineStep.Submit);
            context.SubmitBatch(slots, sqes.AsSpan(0, slots.Length), ref submitted);
        }
        catch when (!submitted)
        {
            foreach (RequestSlot slot in slots)
            {
                slot.ReleaseBuffers();
                if (isAsync)
                {
                    context.Return(slot);
                }
            }

            throw;
        }
        finally
        {
            ArrayPool<Sqe>.Shared.Return(sqes);
        }
    }
}
