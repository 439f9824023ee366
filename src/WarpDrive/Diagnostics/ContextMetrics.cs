using System.Diagnostics;
using System.Runtime.CompilerServices;
using WarpDrive.Abi;
using WarpDrive.Queues;

namespace WarpDrive.Diagnostics;

/// <summary>One context's side of <see cref="WdMetrics"/>: its device's tag values, taken once when the context is
/// made, and the measurements of each request that ends on it. The context calls in only when
/// <see cref="WdMetrics.AnyRequestInstrumentEnabled"/>; a measurement allocates nothing (the tags are a
/// <see cref="TagList"/> of strings made in advance).</summary>
internal sealed class ContextMetrics(WdDeviceInfo device)
{
    /// <summary>The <c>device</c> tag: the device's name.</summary>
    public string Device { get; } = device.Name;

    /// <summary>The <c>location</c> tag: in-process, broker, kernel or inline.</summary>
    public string Location { get; } = device.Location;

    /// <summary>Counts a request whose completion was reaped (before its caller can see it).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Completed(RequestSlot slot, in Cqe cqe)
    {
        TagList tags = Tags(slot);
        WdMetrics.Requests.Add(1, in tags);

        // Input taken as the device counts it in its stats (docs/STATS.md), except that a data list's bytes are known here.
        long taken = cqe.Status switch
        {
            CompletionStatus.Ok => slot.SourceBytes,
            CompletionStatus.OutOfSpace => cqe.Consumed,
            _ => 0,
        };
        if (taken != 0)
        {
            WdMetrics.BytesIn.Add(taken, in tags);
        }

        if (cqe.Produced != 0)
        {
            WdMetrics.BytesOut.Add(cqe.Produced, in tags);
        }

        if (cqe.Status is not (CompletionStatus.Ok or CompletionStatus.OutOfSpace))
        {
            CountError(tags, cqe.Status, cqe.Detail);
        }

        if (slot.SubmittedAt != 0 && WdMetrics.Duration.Enabled)
        {
            WdMetrics.Duration.Record(Stopwatch.GetElapsedTime(slot.SubmittedAt).TotalSeconds, in tags);
        }
    }

    /// <summary>Counts a request that will never complete (its queue stopped being served): an error with status
    /// <c>Disabled</c>, and no duration.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public void Abandoned(RequestSlot slot)
    {
        TagList tags = Tags(slot);
        WdMetrics.Requests.Add(1, in tags);
        CountError(tags, CompletionStatus.Disabled, 0);
    }

    private TagList Tags(RequestSlot slot) => new()
    {
        { WdMetrics.DeviceTag, Device },
        { WdMetrics.LocationTag, Location },
        { WdMetrics.AlgorithmTag, RequestNames.Algorithm(slot.Opcode, slot.AlgorithmId, slot.Mode) },
        { WdMetrics.OperationTag, RequestNames.Operation(slot.Opcode) },
    };

    private static void CountError(TagList tags, CompletionStatus status, uint detail)
    {
        if (!WdMetrics.Errors.Enabled)
        {
            return;
        }

        tags.Add(WdMetrics.StatusTag, RequestNames.Status(status));
        if (status == CompletionStatus.DataError)
        {
            tags.Add(WdMetrics.DataErrorTag, RequestNames.DataError(detail));
        }

        WdMetrics.Errors.Add(1, in tags);
    }
}
