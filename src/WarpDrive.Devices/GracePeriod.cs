namespace WarpDrive.Devices;

/// <summary>Waits, without blocking, until no engine can still hold a pointer translated through a range that was
/// removed from a <see cref="Domain"/>: RCU's grace period. Engines translate only while they hold a queue, so once
/// every queue of the domain has been seen idle after the removal, the range's memory may be unmapped.</summary>
/// <remarks>Until it completes, the engines take no new request from those queues: drive it to completion
/// (<see cref="TryComplete"/> until true), or those queues stay paused.</remarks>
public sealed class GracePeriod
{
    private readonly List<HardwareQueue> _pending;

    internal GracePeriod(HardwareQueue[] queues)
    {
        _pending = [.. queues];
        foreach (HardwareQueue queue in _pending)
        {
            queue.RequestYield(); // the engine leaves after the request it runs, not after a batch
        }
    }

    /// <summary>Whether the grace period is over; checks the queues still pending and never blocks.</summary>
    public bool TryComplete()
    {
        for (int i = _pending.Count - 1; i >= 0; i--)
        {
            if (_pending[i].TryPassIdle())
            {
                _pending[i].EndYield();
                _pending.RemoveAt(i);
            }
        }

        return _pending.Count == 0;
    }
}
