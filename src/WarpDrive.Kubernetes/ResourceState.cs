using WarpDrive.Kubernetes.DevicePluginApi;

namespace WarpDrive.Kubernetes;

/// <summary>The unit list of one resource and its changes: the plugin's loop sets it, every ListAndWatch stream
/// sends it once and again after each change (a change is any unit added, removed or of another health).</summary>
public sealed class ResourceState(string kind)
{
    private readonly Lock _lock = new();
    private List<Device> _units = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The resource's kind (<c>zip</c>).</summary>
    public string Kind { get; } = kind;

    /// <summary>The current list and its version (1 after the first set, +1 per change).</summary>
    public (IReadOnlyList<Device> Units, int Version) Current
    {
        get
        {
            lock (_lock)
            {
                return (_units, Version);
            }
        }
    }

    private int Version { get; set; }

    /// <summary>Sets the list; returns whether it changed (the streams then send it).</summary>
    public bool Set(List<Device> units)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            if (Version > 0 && units.SequenceEqual(_units))
            {
                return false;
            }

            _units = units;
            Version++;
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.SetResult();
        return true;
    }

    /// <summary>Waits until the version is past <paramref name="seen"/>.</summary>
    public async Task WaitForChangeAsync(int seen, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (Version > seen)
                {
                    return;
                }

                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
