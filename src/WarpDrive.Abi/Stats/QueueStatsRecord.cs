using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Stats;

/// <summary>One queue in a stats file: 128 bytes. The counters (offsets 16-71) are written by the device thread
/// that holds the queue (its engine, or the bulk lane while that runs one of its requests), with plain stores, and
/// read racily by <c>wd top</c>; they count over the device's life, across owners. The host writes
/// <see cref="State"/>, <see cref="OwnerPid"/>, <see cref="OwnerUid"/>, <see cref="Weight"/> and <see cref="MaxSharePercent"/> when the queue starts
/// and stops.</summary>
[StructLayout(LayoutKind.Explicit, Size = StatsLayout.QueueRecordSize)]
public struct QueueStatsRecord
{
    /// <summary>Index of the device record the queue belongs to.</summary>
    [FieldOffset(0)] public uint DeviceIndex;

    /// <summary>Queue id within its device.</summary>
    [FieldOffset(4)] public uint QueueId;

    /// <summary>A <see cref="QueueStatsState"/>.</summary>
    [FieldOffset(8)] public uint State;

    /// <summary>The owner's pid while started (the broker: the client process), 0 when free.</summary>
    [FieldOffset(12)] public int OwnerPid;

    /// <summary>SQEs the engine has taken from the ring.</summary>
    [FieldOffset(16)] public ulong Submitted;

    /// <summary>CQEs the engine has posted (each is counted before it is published).</summary>
    [FieldOffset(24)] public ulong Completed;

    /// <summary>Completions with a status other than OK and OUT_OF_SPACE (the ring's <c>error_count</c>, but
    /// device-private and never reset).</summary>
    [FieldOffset(32)] public ulong Errors;

    /// <summary>Input bytes the completed requests took: <c>src_len</c> of an OK completion, <c>consumed</c> of an
    /// OUT_OF_SPACE one (which comes back for the rest), nothing for an error. A data-list request's <c>src_len</c>
    /// counts entries, not bytes: it adds nothing unless it ends OUT_OF_SPACE.</summary>
    [FieldOffset(40)] public ulong BytesIn;

    /// <summary>Bytes the completions report as produced (<c>produced</c>).</summary>
    [FieldOffset(48)] public ulong BytesOut;

    /// <summary>SQEs published and waiting in the ring when the engine last ended a batch (0 when it emptied the
    /// ring; read from the client's <c>sq_tail</c>, clamped to the ring depth, only when it did not).</summary>
    [FieldOffset(56)] public uint Waiting;

    /// <summary>Reserved, zero.</summary>
    [FieldOffset(60)] public uint Reserved0;

    /// <summary>Engine time spent on the queue's requests, in nanoseconds (its engine and the bulk lane).</summary>
    [FieldOffset(64)] public ulong BusyNanos;

    /// <summary>The owner's user id (the broker's client's uid; this process's for an in-process device).</summary>
    [FieldOffset(72)] public uint OwnerUid;

    /// <summary>The owner's scheduling weight (<c>wdd.json</c> <c>scheduling.weights</c>; 1 by default).</summary>
    [FieldOffset(76)] public uint Weight;

    /// <summary>The owner's cap on its share of an engine, in percent (<c>scheduling.max_share</c>; 100 when none).</summary>
    [FieldOffset(80)] public uint MaxSharePercent;
}
