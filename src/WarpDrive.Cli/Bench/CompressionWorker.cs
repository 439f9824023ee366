using WarpDrive.Compression;

namespace WarpDrive.Cli.Bench;

/// <summary>Deflate, zlib or gzip blocks (block mode) on a <see cref="CompressionSession"/>.</summary>
internal sealed class CompressionWorker : SessionWorker<CompressionResult>
{
    private readonly CompressionSession _session;
    private readonly bool _callbacks;
    private readonly CompressionCallback? _done;
    private readonly object[] _slotStates = [];
    private readonly CompressionResult[] _results = [];
    private readonly Action?[] _continuations = [];
    private readonly int[] _states = []; // per slot: 0 in flight, 1 completed, 2 continuation waiting

    public CompressionWorker(BenchInput input, WdRuntime runtime, WdRuntime? shareWith, int depth)
        : base(input, shareWith, depth)
    {
        _session = new CompressionSession(new CompressionSessionOptions
        {
            Algorithm = input.Settings.Algorithm.Compression,
            Direction = input.Settings.Decompress ? CompressionDirection.Decompress : CompressionDirection.Compress,
            Level = input.Settings.Level,
        }, runtime);
        if (input.Settings.Async && input.Settings.Callbacks)
        {
            _callbacks = true;
            _done = OnDone;
            _slotStates = [.. Enumerable.Range(0, depth).Select(i => (object)i)]; // boxed once: no allocation per request
            _results = new CompressionResult[depth];
            _continuations = new Action?[depth];
            _states = new int[depth];
        }
    }

    public override void Start(int slot)
    {
        if (!_callbacks)
        {
            base.Start(slot);
            return;
        }

        _states[slot] = 0;
        _continuations[slot] = null;
        while (!_session.TrySubmit(Source, Outputs[slot], _done!, _slotStates[slot]))
        {
            Thread.Yield(); // BUSY: the loop keeps at most --depth in flight, so only another thread's requests fill the queue
        }
    }

    public override bool IsCompleted(int slot) => _callbacks ? Volatile.Read(ref _states[slot]) == 1 : base.IsCompleted(slot);

    public override void OnCompleted(int slot, Action continuation)
    {
        if (!_callbacks)
        {
            base.OnCompleted(slot, continuation);
            return;
        }

        _continuations[slot] = continuation;
        if (Interlocked.CompareExchange(ref _states[slot], 2, 0) == 1)
        {
            continuation(); // completed meanwhile
        }
    }

    public override void Finish(int slot)
    {
        if (!_callbacks)
        {
            base.Finish(slot);
            return;
        }

        LastOutputBytes = Check(_results[slot]);
    }

    /// <summary>The callback: on the library's polling thread.</summary>
    private void OnDone(in CompressionResult result, object? state)
    {
        int slot = (int)state!;
        _results[slot] = result;
        if (Interlocked.Exchange(ref _states[slot], 1) == 2)
        {
            _continuations[slot]!();
        }
    }

    public override void RunSync() => LastOutputBytes = Check(_session.Process(Source.Span, Outputs[0].Span));

    protected override ValueTask<CompressionResult> StartRequest(Memory<byte> output) => _session.ProcessAsync(Source, output);

    protected override int Check(CompressionResult result)
    {
        if (!result.IsOk || result.Produced <= 0)
        {
            Fail($"a block failed: {result.DescribeError()}");
        }

        return result.Produced;
    }

    protected override void DisposeSession() => _session.Dispose();
}
