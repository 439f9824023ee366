using System.Buffers;
using WarpDrive.Abi;
using WarpDrive.Pipeline;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Compression;

/// <summary>A compression or decompression session on a ZIP device (UADK's wd_comp session): synchronous and
/// asynchronous requests, block or stream mode, and data-list input.</summary>
/// <example>
/// <code>
/// using var session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip });
/// byte[] output = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
/// CompressionResult r = session.Process(input, output);
/// </code>
/// </example>
public sealed class CompressionSession : IDisposable, IRequestOwner
{
    private static readonly SlotCallback s_invokeCallback =
        static (in Cqe cqe, object callback, object? state) => ((CompressionCallback)callback)(CompressionResult.From(cqe), state);

    private readonly ContextBinding _binding;
    private readonly RequestPipeline _pipeline;
    private readonly OutputLimit? _limit;
    private readonly SessionBytes? _dictionary; // zstd: named by every request that starts a frame
    private readonly SessionRequestCount? _requests; // with a dictionary: Dispose waits until the device stops reading it
    private readonly int _operation;
    private readonly int _streamId;
    private bool _streamActive;
    private byte[]? _probe;
    private int _busy;
    private bool _disposed;

    /// <summary>Opens a session on <paramref name="runtime"/> (default: <see cref="WdRuntime.Default"/>).</summary>
    /// <exception cref="WdDeviceNotFoundException">No device offers the algorithm.</exception>
    public CompressionSession(CompressionSessionOptions options, WdRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _operation = options.Direction == CompressionDirection.Compress ? 0 : 1; // comp, decomp
        _binding = new ContextBinding((runtime ?? WdRuntime.Default).Scheduler(AlgorithmLibrary.Comp), options.AlgorithmName,
            options.Mode == SessionMode.Stream, _operation, options.InlineOnInProcessDevice);
        _streamId = _binding.StreamId;
        _pipeline = new RequestPipeline(_binding, this);
        _limit = options.MaxOutputLength is { } max ? new OutputLimit(max, options.Mode == SessionMode.Stream) : null;
        if (!options.Dictionary.IsEmpty)
        {
            _binding.Pick(false, _operation, int.MaxValue, out DevicePool pool);
            _dictionary = new SessionBytes();
            _dictionary.Set(options.Dictionary.Span, pool);
            _requests = new SessionRequestCount();
        }
    }

    /// <summary>The session's parameters.</summary>
    public CompressionSessionOptions Options { get; }

    /// <summary>A stream-mode request is counted in and not yet out (tests).</summary>
    internal bool IsBusy => Volatile.Read(ref _busy) != 0;

    /// <summary>The device the session runs on.</summary>
    public WdDeviceInfo Device => _binding.Device;

    /// <summary>An output size that always suffices to compress <paramref name="length"/> bytes in one block request.
    /// Fast levels may code every byte with a fixed Huffman code (up to 9 bits a byte, zlib-ng's deflate_quick),
    /// hence one eighth more, plus block, header and trailer overhead.</summary>
    public static int GetMaxCompressedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return checked(length + (length >> 3) + 256);
    }

    /// <summary>Runs one request and waits for it.</summary>
    /// <param name="source">Input bytes.</param>
    /// <param name="destination">Output buffer.</param>
    /// <param name="last">Stream mode: this is the end of the input. Ignored in block mode.</param>
    /// <param name="flush">Stream-mode compression: end the output of this request on a byte boundary.</param>
    public CompressionResult Process(ReadOnlySpan<byte> source, Span<byte> destination, bool last = true, bool flush = false)
    {
        if (_limit is null)
        {
            return ProcessOnce(source, destination, last, flush);
        }

        var request = new LimitedSpanRequest(this, source, destination, stackalloc byte[1], last, flush);
        return Limited(_limit.Run(ref request, destination.Length, _streamActive));
    }

    private unsafe CompressionResult ProcessOnce(ReadOnlySpan<byte> source, Span<byte> destination, bool last, bool flush)
    {
        EnterRequest();
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        {
            var request = new PinnedRequest(this, (nint)src, source.Length, (nint)dst, destination.Length, last, flush);
            return CompressionResult.From(_pipeline.Run(_operation, source.Length, last, ref request));
        }
    }

    /// <summary>Runs one request whose input is a data list: each segment of <paramref name="source"/> becomes one
    /// entry of a scatter-gather table that the device reads directly (no gathering copy).</summary>
    public CompressionResult Process(ReadOnlySequence<byte> source, Span<byte> destination, bool last = true, bool flush = false)
    {
        if (_limit is null)
        {
            return ProcessOnce(source, destination, last, flush);
        }

        var request = new LimitedSequenceRequest(this, source, destination, stackalloc byte[1], last, flush);
        return Limited(_limit.Run(ref request, destination.Length, _streamActive));
    }

    private unsafe CompressionResult ProcessOnce(ReadOnlySequence<byte> source, Span<byte> destination, bool last, bool flush)
    {
        EnterRequest();
        fixed (byte* dst = destination)
        {
            var request = new DataListRequest(this, source, (nint)dst, destination.Length, last, flush);
            return CompressionResult.From(_pipeline.Run(_operation, source.Length > int.MaxValue ? int.MaxValue : (int)source.Length, last, ref request));
        }
    }

    /// <summary>Submits one request and returns at once; the result arrives when the device completes it.
    /// The buffers stay pinned until then. No allocation per request in steady state. Cancellation applies only
    /// before submission: a request the device has taken runs to completion.</summary>
    public ValueTask<CompressionResult> ProcessAsync(ReadOnlyMemory<byte> source, Memory<byte> destination, bool last = true,
        bool flush = false, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<CompressionResult>(cancellationToken);
        }

        return _limit is null
            ? ProcessOnceAsync(source, destination, last, flush, cancellationToken)
            : ProcessLimitedAsync(_limit, source, destination, last, flush, cancellationToken);
    }

    private async ValueTask<CompressionResult> ProcessLimitedAsync(OutputLimit limit, ReadOnlyMemory<byte> source, Memory<byte> destination,
        bool last, bool flush, CancellationToken cancellationToken)
    {
        int room = limit.Room(destination.Length, _streamActive, out bool clamped);
        CompressionResult r = room == 0 && clamped
            ? OutputLimit.NothingYet
            : await ProcessOnceAsync(source, destination[..room], last, flush, cancellationToken).ConfigureAwait(false);
        if (!limit.NeedsProbe(r, clamped, room))
        {
            return Limited(limit.Count(r, clamped));
        }

        _probe ??= new byte[1];
        return Limited(limit.AfterProbe(r, await ProcessOnceAsync(source[r.Consumed..], _probe, last, flush, cancellationToken).ConfigureAwait(false)));
    }

    /// <summary>A result the output limit passed on: past the limit, a stream is abandoned (the next request starts anew).</summary>
    private CompressionResult Limited(in CompressionResult r)
    {
        if (OutputLimit.Exceeded(r))
        {
            Reset();
        }

        return r;
    }

    private ValueTask<CompressionResult> ProcessOnceAsync(ReadOnlyMemory<byte> source, Memory<byte> destination, bool last, bool flush,
        CancellationToken cancellationToken)
    {
        EnterRequest();
        return _pipeline.RunAsync<Request, CompressionResult>(_operation, source.Length, last, new Request(this, source, destination, last, flush),
            null, cancellationToken);
    }

    /// <summary>Submits one request whose result goes to <paramref name="callback"/> (UADK's asynchronous request with
    /// a callback), without waiting for anything: when every slot of the chosen context is in flight it submits nothing
    /// and returns false (BUSY), and the caller tries again after completions came in. Every request this accepted
    /// completes exactly once through the callback. The buffers stay pinned until then.</summary>
    /// <returns>false when the queue is full (nothing was submitted).</returns>
    public bool TrySubmit(ReadOnlyMemory<byte> source, Memory<byte> destination, CompressionCallback callback, object? state = null,
        bool last = true, bool flush = false)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ThrowIfLimited();
        EnterRequest();
        return _pipeline.TrySubmit(_operation, source.Length, last, new Request(this, source, destination, last, flush), s_invokeCallback, callback, state);
    }

    /// <summary>As <see cref="TrySubmit"/>, but when the queue is full waits (asynchronously) for a free slot: the
    /// awaitable form of backpressure. The returned task completes when the request is submitted, not when it is
    /// done; the result goes to <paramref name="callback"/>.</summary>
    public ValueTask SubmitAsync(ReadOnlyMemory<byte> source, Memory<byte> destination, CompressionCallback callback, object? state = null,
        bool last = true, bool flush = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ThrowIfLimited();
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        EnterRequest();
        return _pipeline.SubmitAsync(_operation, source.Length, last, new Request(this, source, destination, last, flush), s_invokeCallback, callback,
            state, cancellationToken);
    }

    /// <summary>Submits block-mode requests in one batch: as many as the context has free slots for, published with
    /// one doorbell; each result goes to <paramref name="callback"/> with its request's <see cref="CompressionRequest.State"/>.
    /// Completions are reaped in bursts by whoever polls.</summary>
    /// <returns>How many of <paramref name="requests"/> (from the first) were submitted; the rest found the queue full.</returns>
    /// <exception cref="InvalidOperationException">A stream-mode session (its requests run one after another).</exception>
    public int SubmitBatch(ReadOnlySpan<CompressionRequest> requests, CompressionCallback callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ThrowIfStream();
        if (requests.IsEmpty)
        {
            return 0;
        }

        if (_dictionary is not null)
        {
            // Its requests would stay uncounted in flight: Dispose could free the dictionary the device still reads.
            throw new InvalidOperationException("a session with a dictionary runs batches with ProcessBatch, which waits for them");
        }

        EnterRequest(counted: false);
        var batch = new Batch(this, requests, default);
        return _pipeline.SubmitBatch(_operation, requests[0].Source.Length, ref batch, s_invokeCallback, callback);
    }

    /// <summary>Runs block-mode requests as one batch (one doorbell) and waits for all of them; fills
    /// <paramref name="results"/> in order. Waits for free slots when there are more requests than the queue holds.</summary>
    /// <exception cref="InvalidOperationException">A stream-mode session.</exception>
    public void ProcessBatch(ReadOnlySpan<CompressionRequest> requests, Span<CompressionResult> results)
    {
        ThrowIfStream();
        if (results.Length < requests.Length)
        {
            throw new ArgumentException("results is shorter than requests", nameof(results));
        }

        EnterRequest(counted: false); // waits for every request it submits
        var batch = new Batch(this, requests, results);
        _pipeline.ProcessBatch(_operation, requests.IsEmpty ? 0 : requests[0].Source.Length, ref batch);
    }

    /// <summary>One request of the session: pins and shares its buffers, builds its SQE.</summary>
    private readonly struct Request(CompressionSession session, ReadOnlyMemory<byte> source, Memory<byte> destination, bool last, bool flush)
        : IRequestBuilder
    {
        public Sqe Build(RequestSlot slot, DevicePool pool)
        {
            nint src = slot.PinAndShare(source);
            nint dst = slot.PinAndShare(destination);
            return session.BuildSqe(slot.Tag, pool, (ulong)src, (uint)source.Length, (ulong)dst, (uint)destination.Length, last, flush, dataList: false);
        }
    }

    /// <summary>A synchronous request under <see cref="OutputLimit"/>: its room, then maybe the probe.</summary>
    private readonly ref struct LimitedSpanRequest(CompressionSession session, ReadOnlySpan<byte> source, Span<byte> destination,
        Span<byte> probe, bool last, bool flush) : OutputLimit.IRequest
    {
        private readonly ReadOnlySpan<byte> _source = source;
        private readonly Span<byte> _destination = destination, _probe = probe;

        public CompressionResult Run(int room) => session.ProcessOnce(_source, _destination[..room], last, flush);

        public CompressionResult Probe(int consumed) => session.ProcessOnce(_source[consumed..], _probe, last, flush);
    }

    /// <inheritdoc cref="LimitedSpanRequest"/>
    private readonly ref struct LimitedSequenceRequest(CompressionSession session, ReadOnlySequence<byte> source, Span<byte> destination,
        Span<byte> probe, bool last, bool flush) : OutputLimit.IRequest
    {
        private readonly Span<byte> _destination = destination, _probe = probe;

        public CompressionResult Run(int room) => session.ProcessOnce(source, _destination[..room], last, flush);

        public CompressionResult Probe(int consumed) => session.ProcessOnce(source.Slice(consumed), _probe, last, flush);
    }

    /// <summary>One synchronous request over buffers its caller holds <c>fixed</c>.</summary>
    private readonly struct PinnedRequest(CompressionSession session, nint source, int sourceLength, nint destination, int destinationLength,
        bool last, bool flush) : IRequestBuilder
    {
        public Sqe Build(RequestSlot slot, DevicePool pool)
        {
            slot.Share(source, sourceLength);
            slot.Share(destination, destinationLength);
            return session.BuildSqe(slot.Tag, pool, (ulong)source, (uint)sourceLength, (ulong)destination, (uint)destinationLength, last, flush, dataList: false);
        }
    }

    /// <summary>One synchronous request whose input is a data list (each segment pinned and shared by the slot).</summary>
    private readonly struct DataListRequest(CompressionSession session, ReadOnlySequence<byte> source, nint destination, int destinationLength,
        bool last, bool flush) : IRequestBuilder
    {
        public Sqe Build(RequestSlot slot, DevicePool pool)
        {
            nint table = slot.ShareDataList(source, out int count);
            slot.Share(destination, destinationLength);
            return session.BuildSqe(slot.Tag, pool, (ulong)table, (uint)count, (ulong)destination, (uint)destinationLength, last, flush, dataList: true);
        }
    }

    /// <summary>A stream's release (<see cref="Opcode.StreamRelease"/>).</summary>
    private readonly struct ReleaseRequest(uint streamId) : IRequestBuilder
    {
        public Sqe Build(RequestSlot slot, DevicePool pool) =>
            new() { UserData = slot.Tag, Opcode = Opcode.StreamRelease, Flags = SqeFlags.Stream, StreamId = streamId };
    }

    /// <summary>A batch of block requests; a synchronous one fills <c>results</c>.</summary>
    private readonly ref struct Batch(CompressionSession session, ReadOnlySpan<CompressionRequest> requests, Span<CompressionResult> results)
        : IBatchBuilder
    {
        private readonly ReadOnlySpan<CompressionRequest> _requests = requests;
        private readonly Span<CompressionResult> _results = results;

        public int Count => _requests.Length;

        public Sqe Build(int index, RequestSlot slot, DevicePool pool) =>
            new Request(session, _requests[index].Source, _requests[index].Destination, last: true, flush: false).Build(slot, pool);

        public object? StateOf(int index) => _requests[index].State;

        public void Complete(int index, in Cqe cqe) => _results[index] = CompressionResult.From(cqe);
    }

    private void ThrowIfLimited()
    {
        if (_limit is not null)
        {
            throw new InvalidOperationException("MaxOutputLength is honoured by Process and ProcessAsync; callbacks and batches take their limits from their destinations");
        }
    }

    private void ThrowIfStream()
    {
        ThrowIfLimited();
        if (Options.Mode == SessionMode.Stream)
        {
            throw new InvalidOperationException("a stream-mode session runs its requests one after another: batches are for block mode");
        }
    }

    /// <summary>Completes finished asynchronous requests of the compression library without blocking (UADK's
    /// wd_comp_poll); needed only when the library runs without polling threads (<c>WD_COMP_ASYNC_POLL_EN=0</c>).
    /// Completion callbacks run on the calling thread.</summary>
    /// <returns>How many requests completed.</returns>
    public int Poll(int max = int.MaxValue) => _pipeline.Poll(max);

    /// <summary>Stream mode: abandons the current stream; the next request starts a new one.</summary>
    public void Reset()
    {
        if (_streamActive)
        {
            ReleaseDeviceStream();
        }

        _streamActive = false;
    }

    void IRequestObserver.OnCompleted(in Cqe cqe, bool last)
    {
        _requests?.Exit();
        if (Options.Mode == SessionMode.Stream)
        {
            // The stream goes on unless it ended with this last request or broke.
            _streamActive = cqe.Status switch
            {
                CompletionStatus.Ok => !(last && (cqe.Flags & CqeFlags.EndOfStream) != 0),
                CompletionStatus.OutOfSpace => true,
                _ => false,
            };
        }

        Volatile.Write(ref _busy, 0);
    }

    void IRequestOwner.OnAbandoned()
    {
        _requests?.Exit();
        Volatile.Write(ref _busy, 0);
    }

    /// <param name="counted">The pipeline reports the request's end to the session (not for batches).</param>
    private void EnterRequest(bool counted = true)
    {
        if (_disposed)
        {
            ThrowHelper.ObjectDisposed(this);
        }

        if (Options.Mode == SessionMode.Stream && Interlocked.Exchange(ref _busy, 1) != 0)
        {
            ThrowHelper.StreamBusy();
        }

        if (counted && _requests is not null && !_requests.TryEnter())
        {
            Volatile.Write(ref _busy, 0);
            ThrowHelper.ObjectDisposed(this);
        }
    }

    private Sqe BuildSqe(ulong tag, DevicePool pool, ulong src, uint srcLen, ulong dst, uint dstLen, bool last, bool flush, bool dataList)
    {
        SqeFlags flags = dataList ? SqeFlags.SrcDataList : SqeFlags.None;
        bool starts = Options.Mode == SessionMode.Block || !_streamActive;
        if (Options.Mode == SessionMode.Stream)
        {
            flags |= SqeFlags.Stream;
            if (!_streamActive)
            {
                flags |= SqeFlags.NewStream;
            }

            if (last)
            {
                flags |= SqeFlags.Last;
            }

            if (flush)
            {
                flags |= SqeFlags.Flush;
            }
        }

        return new Sqe
        {
            UserData = tag,
            Opcode = Options.Direction == CompressionDirection.Compress ? Opcode.Compress : Opcode.Decompress,
            Algorithm = (byte)Options.Algorithm,
            Flags = flags,
            Level = (byte)(sbyte)Options.Level, // zstd and LZ4 levels may be negative: the device reads the byte as signed
            WindowBits = (byte)Options.WindowBits,
            Src = src,
            SrcLen = srcLen,
            Dst = dst,
            DstLen = dstLen,
            StreamId = _streamId < 0 ? 0u : (uint)_streamId,
            // zstd: the dictionary, where a frame starts (the device keeps it for the rest of a stream).
            Params = starts && _dictionary is { } d ? (ulong)d.Address(pool) : 0,
            Arg = starts && _dictionary is { } dictionary ? (uint)dictionary.Length : 0,
        };
    }

    private void ReleaseDeviceStream()
    {
        var request = new ReleaseRequest((uint)_streamId);
        _pipeline.Run(_operation, 0, last: true, ref request, counted: false);
    }

    /// <summary>Frees the device-side stream context (stream mode).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_requests is not null)
        {
            _requests.CloseAndWait(_binding); // until then the device may still read the dictionary
            _dictionary!.Clear();
        }

        if (_streamId >= 0)
        {
            try
            {
                if (_binding.StreamContext!.Queue.State == QueueState.Started)
                {
                    ReleaseDeviceStream();
                }
            }
            finally
            {
                _binding.StreamContext!.FreeStreamId(_streamId);
            }
        }
    }
}
