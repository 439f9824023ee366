namespace WarpDrive.Soak;

/// <summary>One strand of a client's mixed load: it opens its sessions, runs requests until told to stop, accounts
/// for every request in the client's <see cref="RequestLedger"/>, and now and then disposes its sessions and opens new
/// ones (queue churn on the broker).</summary>
internal abstract class LoadWorker(WdRuntime runtime, RequestLedger ledger, int seed)
{
    /// <summary>The client's runtime (broker mode).</summary>
    protected WdRuntime Runtime { get; } = runtime;

    /// <summary>The client's ledger.</summary>
    protected RequestLedger Ledger { get; } = ledger;

    /// <summary>This worker's random choices (used on its own thread of control only).</summary>
    protected Random Random { get; } = new(seed);

    /// <summary>Runs the load until <paramref name="stop"/> is cancelled, then returns once its requests are done.
    /// Only a failure outside a request (a session that cannot be opened) escapes: the client then exits non-zero.</summary>
    public abstract Task RunAsync(CancellationToken stop);

    /// <summary>How many requests a set of sessions serves before it is disposed and replaced.</summary>
    protected int SessionLifetime() => Random.Next(20, 200);

    /// <summary>Describes an exception for the log: its type and message.</summary>
    protected static string Describe(Exception e) => $"{e.GetType().Name}: {e.Message}";
}
