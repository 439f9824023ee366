using WarpDrive.Abi.Broker;

namespace WarpDrive.Broker;

/// <summary>One claimed allocation (docs/BROKER-PROTOCOL.md, "Allocations"): the queue limit per device its file
/// names, the queues its clients' connections hold (started, or released but not yet complete) and how many
/// connections claimed it. Pure.</summary>
internal sealed class Allocation(AllocationToken token, IReadOnlyDictionary<string, int> limits)
{
    private readonly Tally<string> _held = new(StringComparer.Ordinal);

    public AllocationToken Token { get; } = token;

    /// <summary>Connections that claimed it and are open.</summary>
    public int Connections { get; set; }

    /// <summary>Whether nothing refers to it any more: no open connection, no queue held.</summary>
    public bool IsIdle => Connections == 0 && _held.Keys == 0;

    /// <summary>Most queues of <paramref name="device"/> its clients may hold together (0 for a device its file does
    /// not name).</summary>
    public int Limit(string device) => limits.GetValueOrDefault(device);

    /// <summary>Queues of <paramref name="device"/> its clients hold.</summary>
    public int Held(string device) => _held[device];

    /// <summary>Counts a queue of <paramref name="device"/> started for one of its clients.</summary>
    public void Charge(string device) => _held.Add(device);

    /// <summary>Counts a queue of <paramref name="device"/> released (its release complete).</summary>
    /// <exception cref="InvalidOperationException">It holds no queue of the device.</exception>
    public void Uncharge(string device)
    {
        if (!_held.TryRemove(device))
        {
            throw new InvalidOperationException($"allocation {Token.ToString()[..8]} holds no queue of {device}");
        }
    }
}
