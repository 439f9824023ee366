using System.Diagnostics;

namespace WarpDrive.Devices;

/// <summary>An owner of queues as the device's engines share their time: a user of the broker (one per uid), or this
/// process. An engine gives each tenant with work a turn of <see cref="DeviceHostOptions.WorkerQuantum"/> times its
/// <see cref="Weight"/> (deficit round robin on measured engine time), so a tenant's share of a busy engine follows its
/// weight whatever the size or the number of its requests and queues.</summary>
/// <remarks>Each device thread (engine <c>i</c>, then the bulk lane) has its own slot, written only by that thread
/// with plain stores and padded to a cache line of its own: the request path takes no lock and no atomic.</remarks>
public sealed class DeviceTenant
{
    private const int Stride = 8; // longs per slot: 64 bytes, so two engines never write one cache line
    private readonly long[] _deficits; // per engine: the engine's remaining time this turn
    private readonly long[] _turns; // per engine: the turn in which it last refilled this tenant
    private readonly long[] _ticks; // per engine and the bulk lane: engine time spent on this tenant
    private readonly long[] _tokens; // per engine and the bulk lane: time the cap still allows (capped tenants)
    private readonly long[] _refilled; // per engine and the bulk lane: when the tokens were last topped up
    private readonly int _bulkSlot;
    private long _virtualTicks; // the bulk lane's fair-queuing clock: its own time on this tenant over the weight

    internal DeviceTenant(uint uid, int weight, int engines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        Uid = uid;
        Weight = weight;
        _deficits = new long[engines * Stride];
        _turns = new long[engines * Stride];
        _ticks = new long[(engines + 1) * Stride];
        _tokens = new long[(engines + 1) * Stride];
        _refilled = new long[(engines + 1) * Stride];
        _bulkSlot = engines;
    }

    /// <summary>Queues of the device this tenant holds (under the host's lock).</summary>
    internal int StartedQueues { get; set; }

    /// <summary>The user id (the broker's client's uid; this process's for in-process devices).</summary>
    public uint Uid { get; }

    /// <summary>Share of engine time relative to other tenants with work (1 unless the configuration says otherwise).</summary>
    public int Weight { get; internal set; }

    /// <summary>Most share of each engine's time, and of the bulk lane's, this tenant may take, in percent, even when
    /// no other tenant wants it (a rate limit, like UADK's <c>alg_qos</c>); 100 is no cap.</summary>
    public int MaxSharePercent { get; internal set; } = 100;

    internal bool IsCapped => MaxSharePercent < 100;

    /// <summary>The bulk lane's slot.</summary>
    internal int BulkSlot => _bulkSlot;

    /// <summary>Engine time spent on this tenant's requests so far, on every engine and the bulk lane.</summary>
    public TimeSpan EngineTime
    {
        get
        {
            long ticks = 0;
            for (int slot = 0; slot <= _bulkSlot; slot++)
            {
                ticks += Volatile.Read(ref _ticks[slot * Stride]);
            }

            return TimeSpan.FromSeconds((double)ticks / Stopwatch.Frequency);
        }
    }

    internal ref long Deficit(int engine) => ref _deficits[engine * Stride];

    /// <summary>True the first time engine <paramref name="engine"/> asks in turn <paramref name="turn"/>: a tenant with
    /// several queues on one engine gets one refill per turn, not one per queue.</summary>
    internal bool TryStartTurn(int engine, long turn)
    {
        ref long last = ref _turns[engine * Stride];
        if (last == turn)
        {
            return false;
        }

        last = turn;
        return true;
    }

    /// <summary>Time engine <paramref name="engine"/> spent on this tenant, in Stopwatch ticks (its own slot).</summary>
    internal long Ticks(int engine) => _ticks[engine * Stride];

    /// <summary>Token bucket of a capped tenant on one device thread: whether it may run there at
    /// <paramref name="now"/>; if not, <paramref name="eligibleAt"/> is when it may. The bucket fills at
    /// <see cref="MaxSharePercent"/> of the wall clock and holds at most 10 ms of that share.</summary>
    internal bool TryAdmit(int slot, long now, out long eligibleAt)
    {
        long burst = Stopwatch.Frequency / 100 * MaxSharePercent / 100;
        ref long tokens = ref _tokens[slot * Stride];
        ref long refilled = ref _refilled[slot * Stride];
        tokens = refilled == 0 ? burst : Math.Min(burst, tokens + ((now - refilled) * MaxSharePercent / 100));
        refilled = now;
        eligibleAt = tokens > 0 ? now : now + (-tokens * 100 / MaxSharePercent) + 1;
        return tokens > 0;
    }

    /// <summary>Takes <paramref name="ticks"/> of a capped tenant's time on one device thread out of its bucket.</summary>
    internal void Spend(int slot, long ticks) => _tokens[slot * Stride] -= ticks;

    /// <summary>Counts <paramref name="ticks"/> of engine <paramref name="engine"/>'s time (the calling thread's own
    /// slot).</summary>
    internal void Charge(int engine, long ticks)
    {
        ref long slot = ref _ticks[engine * Stride];
        Volatile.Write(ref slot, slot + ticks);
    }

    /// <summary>Counts <paramref name="ticks"/> of the bulk lane's time, and moves its clock by them over the weight.
    /// Called by the lane under its lock.</summary>
    internal void ChargeBulk(long ticks)
    {
        Charge(_bulkSlot, ticks);
        if (IsCapped)
        {
            Spend(_bulkSlot, ticks);
        }

        _virtualTicks += Math.Max(1, ticks / Weight);
    }

    /// <summary>The bulk lane's clock for this tenant (read under the lane's lock).</summary>
    internal long VirtualTicks => _virtualTicks;

    /// <summary>A tenant that was idle does not keep credit for the time it did not use: its clock moves up to
    /// <paramref name="floor"/>, the clock of the request last started (under the lane's lock).</summary>
    internal void CatchUp(long floor) => _virtualTicks = Math.Max(_virtualTicks, floor);
}
