using WarpDrive.Abi.Broker;

namespace WarpDrive.Broker;

/// <summary>The allocations clients claimed (<c>CLAIM</c>) and what they may start: a device plugin writes one file
/// per allocation, <c>&lt;run&gt;/alloc/&lt;token&gt;</c> (<see cref="AllocationFile"/>); a claim reads it, every
/// START_Q of a claiming connection checks that it still exists (the plugin removes a superseded one) and that the
/// allocation holds fewer queues of the device than its limit. With <c>require_allocation</c> a connection that
/// claimed nothing may start no queue. The file is read through <paramref name="readFile"/> (null: no such file), so
/// the rules are tested without a broker.</summary>
internal sealed class AllocationTable(bool required, Func<string, string?> readFile, Func<string, bool> exists)
{
    private readonly Dictionary<AllocationToken, Allocation> _claimed = [];

    /// <summary>Allocations claimed by an open connection or holding a queue.</summary>
    public int Count => _claimed.Count;

    /// <summary>The table of a broker on <paramref name="directory"/> (<c>&lt;run&gt;/alloc</c>).</summary>
    public static AllocationTable ForDirectory(string directory, bool required) => new(required,
        name => TryRead(Path.Combine(directory, name)),
        name => File.Exists(Path.Combine(directory, name)));

    /// <summary>Claims the allocation of <paramref name="token"/> for <paramref name="connection"/>; the refusal
    /// (BAD_HANDLE: no such allocation, a removed one or a malformed file; BAD_MESSAGE: claimed already;
    /// ALREADY_STARTED: the connection has a queue, which counts against no allocation), or null when it is claimed.</summary>
    public Refusal? Claim(ClientConnection connection, AllocationToken token)
    {
        Refusal? refusal = Claim(connection.Allocation, connection.Queue is not null, token, out Allocation? allocation);
        connection.Allocation ??= allocation;
        return refusal;
    }

    /// <summary><see cref="Claim(ClientConnection, AllocationToken)"/> for a connection that claimed
    /// <paramref name="current"/> and has a queue when <paramref name="started"/>: the claimed allocation, counted
    /// one connection more, or the refusal.</summary>
    public Refusal? Claim(Allocation? current, bool started, AllocationToken token, out Allocation? allocation)
    {
        allocation = null;
        if (current is not null)
        {
            return new Refusal(BrokerStatus.BadMessage, "this connection has claimed an allocation already");
        }

        if (started)
        {
            return new Refusal(BrokerStatus.AlreadyStarted, "claim an allocation before START_Q");
        }

        string name = token.ToString();
        if (_claimed.TryGetValue(token, out Allocation? known) && !exists(name))
        {
            // Claimed before by a connection still open, removed since: void for every new claim.
            return new Refusal(BrokerStatus.BadHandle, $"allocation {name[..8]}... was removed");
        }

        if (known is null)
        {
            string? text = readFile(name);
            if (text is null)
            {
                return new Refusal(BrokerStatus.BadHandle, $"no allocation {name[..8]}... (its pod's allocation was removed, or the token is wrong)");
            }

            if (!AllocationFile.TryParse(text, out IReadOnlyDictionary<string, int>? limits, out string? error))
            {
                return new Refusal(BrokerStatus.BadHandle, $"allocation {name[..8]}...: {error}");
            }

            known = new Allocation(token, limits);
            _claimed.Add(token, known);
        }

        known.Connections++;
        allocation = known;
        return null;
    }

    /// <summary>Why <paramref name="connection"/> may not start a queue of its device now, or null when it may.</summary>
    public Refusal? QueueRefusal(ClientConnection connection) => QueueRefusal(connection.Allocation, connection.Device.Name);

    /// <summary>Why a connection that claimed <paramref name="allocation"/> (null: none) may not start a queue of
    /// <paramref name="device"/> now, or null when it may: QUEUE_LIMIT when it claimed nothing under
    /// <c>require_allocation</c> or its allocation was removed; NO_QUEUE when its allocation holds its limit of the
    /// device's queues (like <c>reserved_queues</c>: libwd then tries another device, and a <c>WAIT</c> caller waits
    /// until a queue of its allocation is released).</summary>
    public Refusal? QueueRefusal(Allocation? allocation, string device)
    {
        if (allocation is null)
        {
            return required
                ? new Refusal(BrokerStatus.QueueLimit, $"this broker starts queues only for allocated clients (require_allocation): set {AllocationToken.EnvironmentVariable}")
                : null;
        }

        string name = allocation.Token.ToString();
        if (!exists(name))
        {
            return new Refusal(BrokerStatus.QueueLimit, $"allocation {name[..8]}... was removed");
        }

        int limit = allocation.Limit(device);
        return allocation.Held(device) < limit ? null
            : new Refusal(BrokerStatus.NoQueue, $"allocation {name[..8]}... holds {allocation.Held(device)} of its {limit} queue(s) of {device}");
    }

    /// <summary>Counts a queue started on <paramref name="connection"/> against its allocation, if it claimed one.</summary>
    public static void Charge(ClientConnection connection) => connection.Allocation?.Charge(connection.Device.Name);

    /// <summary>Returns a queue of <paramref name="device"/> whose release is complete to <paramref name="allocation"/>.</summary>
    public void Uncharge(Allocation? allocation, string device)
    {
        if (allocation is not null)
        {
            allocation.Uncharge(device);
            ForgetIfIdle(allocation);
        }
    }

    /// <summary>A connection that claimed <paramref name="allocation"/> closed: its claim ends (the queue it held is
    /// returned when its release completes).</summary>
    public void Close(Allocation? allocation)
    {
        if (allocation is not null)
        {
            allocation.Connections--;
            ForgetIfIdle(allocation);
        }
    }

    private void ForgetIfIdle(Allocation allocation)
    {
        if (allocation.IsIdle)
        {
            _claimed.Remove(allocation.Token);
        }
    }

    private static string? TryRead(string path)
    {
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
            if (file.Length > AllocationFile.MaxBytes)
            {
                return new string('x', AllocationFile.MaxBytes + 1); // refused by the parser as too long
            }

            using var reader = new StreamReader(file);
            return reader.ReadToEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
