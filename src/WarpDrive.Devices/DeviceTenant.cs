namespace WarpDrive.Devices;

/// <summary>An owner of queues as the device's engines share their time: a user of the broker (one per uid), or this
/// process. An engine gives each tenant with work a turn of <see cref="DeviceHostOptions.EngineQuantum"/> times its
/// <see cref="Weight"/> (deficit round robin on measured engine time), so a tenant's share of a busy engine follows its
/// weight whatever the size or the number of its requests and queues.</summary>
public sealed class DeviceTenant
{
    private readonly long[] _deficits; // per engine thread: that engine's only writer
    private readonly long[] _turns; // per engine thread: the turn in which it last refilled this tenant
    private long _engineTicks;
    private long _virtualTicks;

    internal DeviceTenant(uint uid, int weight, int engines)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(weight, 1);
        Uid = uid;
        Weight = weight;
        _deficits = new long[engines];
        _turns = new long[engines];
    }

    /// <summary>The user id (the broker's client's uid; this process's for in-process devices).</summary>
    public uint Uid { get; }

    /// <summary>Share of engine time relative to other tenants with work (1 unless the configuration says otherwise).</summary>
    public int Weight { get; internal set; }

    /// <summary>Engine time spent on this tenant's requests so far, on every engine and the bulk lane.</summary>
    public TimeSpan EngineTime => TimeSpan.FromSeconds((double)Volatile.Read(ref _engineTicks) / System.Diagnostics.Stopwatch.Frequency);

    internal ref long Deficit(int engine) => ref _deficits[engine];

    /// <summary>True the first time engine <paramref name="engine"/> asks in turn <paramref name="turn"/>: a tenant with
    /// several queues on one engine gets one refill per turn, not one per queue.</summary>
    internal bool TryStartTurn(int engine, long turn)
    {
        if (_turns[engine] == turn)
        {
            return false;
        }

        _turns[engine] = turn;
        return true;
    }

    /// <summary>Service received, in Stopwatch ticks divided by the weight (the bulk lane's fair-queuing clock).</summary>
    internal long VirtualTicks => Volatile.Read(ref _virtualTicks);

    /// <summary>Counts <paramref name="ticks"/> of engine time spent on this tenant.</summary>
    internal void Charge(long ticks)
    {
        Interlocked.Add(ref _engineTicks, ticks);
        Interlocked.Add(ref _virtualTicks, Math.Max(1, ticks / Weight));
    }

    /// <summary>A tenant that was idle does not keep credit for the time it did not use: its clock moves up to
    /// <paramref name="floor"/>, the lowest clock among tenants now waiting.</summary>
    internal void CatchUp(long floor)
    {
        long current = Volatile.Read(ref _virtualTicks);
        while (current < floor)
        {
            long seen = Interlocked.CompareExchange(ref _virtualTicks, floor, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
