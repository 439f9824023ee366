namespace WarpDrive.Cli.Bench;

/// <summary>A worker on a libwd session: one pending <see cref="ValueTask{TResult}"/> per slot, one input shared by all
/// slots and one output per slot, all cut from one <see cref="BenchBuffers"/> block.</summary>
internal abstract class SessionWorker<T> : BenchWorker
{
    private readonly ValueTask<T>[] _pending;
    private readonly BenchBuffers _buffers;

    protected SessionWorker(BenchInput input, WdRuntime? shareWith, int depth)
    {
        byte[] source = input.RequestInput;
        int capacity = input.OutputCapacity;
        int[] lengths = [source.Length, .. Enumerable.Repeat(capacity, depth)];
        _buffers = new BenchBuffers(BenchBuffers.Size(lengths), shareWith);
        Source = _buffers.Take(source.Length);
        source.CopyTo(Source);
        Outputs = new Memory<byte>[depth];
        for (int i = 0; i < depth; i++)
        {
            Outputs[i] = _buffers.Take(capacity);
        }

        _pending = new ValueTask<T>[depth];
    }

    public override int InputBytes => Source.Length;

    protected Memory<byte> Source { get; }

    protected Memory<byte>[] Outputs { get; }

    /// <summary>Submits one request writing into <paramref name="output"/>.</summary>
    protected abstract ValueTask<T> StartRequest(Memory<byte> output);

    /// <summary>Checks a result; returns the output length.</summary>
    protected abstract int Check(T result);

    // Stored on purpose: each slot's ValueTask is consumed exactly once, by Finish.
#pragma warning disable CA2012
    public override void Start(int slot) => _pending[slot] = StartRequest(Outputs[slot]);
#pragma warning restore CA2012

    public override bool IsCompleted(int slot) => _pending[slot].IsCompleted;

    public override void OnCompleted(int slot, Action continuation) => _pending[slot].GetAwaiter().UnsafeOnCompleted(continuation);

    public override void Finish(int slot)
    {
        LastOutputBytes = Check(_pending[slot].GetAwaiter().GetResult());
        _pending[slot] = default;
    }

    public override void Dispose()
    {
        DisposeSession();
        _buffers.Dispose();
        base.Dispose();
    }

    /// <summary>Disposes the session (before the buffers go).</summary>
    protected abstract void DisposeSession();
}
