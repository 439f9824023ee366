namespace WarpDrive.TestSupport.HisiQm;

/// <summary>A wake-up that cannot be lost: a generation counter that <see cref="Set"/> advances. A waiter reads
/// <see cref="Generation"/> before it looks at what it waits for, and <see cref="Wait"/> returns at once when the
/// counter moved since: a <see cref="Set"/> between the look and the wait still wakes it.</summary>
internal sealed class ModelSignal
{
    private readonly object _gate = new();
    private long _generation;

    /// <summary>The generation now; read it before checking the condition waited for.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Advances the generation and wakes every waiter.</summary>
    public void Set()
    {
        lock (_gate)
        {
            _generation++;
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until the generation differs from <paramref name="seen"/> (then updates it), at most
    /// <paramref name="timeout"/> (negative: no limit).</summary>
    /// <returns>false when the time ran out with no <see cref="Set"/>.</returns>
    public bool Wait(ref long seen, TimeSpan timeout)
    {
        long deadline = timeout < TimeSpan.Zero ? long.MaxValue : Environment.TickCount64 + (long)Math.Ceiling(timeout.TotalMilliseconds);
        lock (_gate)
        {
            while (_generation == seen)
            {
                long left = deadline == long.MaxValue ? Timeout.Infinite : deadline - Environment.TickCount64;
                if (deadline != long.MaxValue && left <= 0)
                {
                    return false;
                }

                _ = Monitor.Wait(_gate, (int)Math.Min(left, int.MaxValue));
            }

            seen = _generation;
            return true;
        }
    }
}
