namespace WarpDrive.Cli.Bench;

/// <summary>One submitting thread's requests: its own session (or connection, or codec), buffers for every request it
/// keeps in flight, and the calls the runner makes. Nothing here allocates per request.</summary>
internal abstract class BenchWorker : IDisposable
{
    /// <summary>Input bytes of one request.</summary>
    public abstract int InputBytes { get; }

    /// <summary>Output bytes of the last completed request (a compressed block's size, a signature's length).</summary>
    public int LastOutputBytes { get; protected set; }

    /// <summary>Whether <see cref="Start"/> and friends are implemented (direct calls and the socket server are
    /// synchronous only).</summary>
    public virtual bool SupportsAsync => true;

    /// <summary>Runs one request and waits for it.</summary>
    /// <exception cref="InvalidOperationException">The request failed.</exception>
    public abstract void RunSync();

    /// <summary>Submits one request into slot <paramref name="slot"/> (below the depth) and returns at once.</summary>
    public virtual void Start(int slot) => throw new NotSupportedException();

    /// <summary>Whether slot <paramref name="slot"/>'s request has completed.</summary>
    public virtual bool IsCompleted(int slot) => true;

    /// <summary>Runs <paramref name="continuation"/> when slot <paramref name="slot"/>'s request completes.</summary>
    public virtual void OnCompleted(int slot, Action continuation) => continuation();

    /// <summary>Takes slot <paramref name="slot"/>'s result (once it completed) and checks it.</summary>
    /// <exception cref="InvalidOperationException">The request failed.</exception>
    public virtual void Finish(int slot)
    {
    }

    /// <summary>Frees the session and buffers.</summary>
    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    /// <summary>Throws the failure of a request with <paramref name="what"/> in the message.</summary>
    protected static void Fail(string what) => throw new InvalidOperationException(what);
}
