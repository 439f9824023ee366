using System.Buffers;
using System.Diagnostics;
using WarpDrive.Abi;
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
public sealed class CompressionSession : IDisposable, IRequestObserver
{
    private static readonly SlotCallback s_invokeCallback =
        static (in Cqe cqe, object callback, object? state) => ((CompressionCallback)callback)(CompressionResult.From(cqe), state);

    private readonly ContextBinding _binding;
    private readonly int _operation;
    private readonly int _streamId;
    private bool _streamActive;
    private long _streamOutput; // stream mode with MaxOutputLength: output of the current stream so far
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
    }

    /// <summary>The session's parameters.</summary>
    public CompressionSessionOptions Options { get; }

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
        if (Options.MaxOutputLength is null)
        {
            return ProcessOnce(source, destination, last, flush);
        }

        int room = LimitRoom(destination.Length, out bool clamped);
        CompressionResult r = room == 0 && clamped ? NothingYet : ProcessOnce(source, destination[..room], last, flush);
        if (!NeedsProbe(r, clamped, room))
        {
            return Limited(r, clamped);
        }

        Span<byte> one = stackalloc byte[1];
        return AfterProbe(r, ProcessOnce(source[r.Consumed..], one, last, flush));
    }

    private unsafe CompressionResult ProcessOnce(ReadOnlySpan<byte> source, Span<byte> destination, bool last, bool flush)
    {
        EnterRequest();
        WdContext context = Pick(async: false, source.Length);
        RequestSlot slot = context.Rent();
        try
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                slot.Prepare(isAsync: false, null, last);
                slot.Share((nint)src, source.Length);
                slot.Share((nint)dst, destination.Length);
                Sqe sqe = BuildSqe(slot.Tag, (ulong)src, (uint)source.Length, (ulong)dst, (uint)destination.Length, last, flush, dataList: false);
                return RunSync(context, slot, in sqe, last);
            }
        }
        catch
        {
            Volatile.Write(ref _busy, 0);
            throw;
        }
        finally
        {
            slot.ReleaseBuffers();
            context.Return(slot);
        }
    }

    /// <summary>Runs one request whose input is a data list: each segment of <paramref name="source"/> becomes one
    /// entry of a scatter-gather table that the device reads directly (no gathering copy).</summary>
    public CompressionResult Process(ReadOnlySequence<byte> source, Span<byte> destination, bool last = true, bool flush = false)
    {
        if (Options.MaxOutputLength is null)
        {
            return ProcessOnce(source, destination, last, flush);
        }

        int room = LimitRoom(destination.Length, out bool clamped);
        CompressionResult r = room == 0 && clamped ? NothingYet : ProcessOnce(source, destination[..room], last, flush);
        if (!NeedsProbe(r, clamped, room))
        {
            return Limited(r, clamped);
        }

        Span<byte> one = stackalloc byte[1];
        return AfterProbe(r, ProcessOnce(source.Slice(r.Consumed), one, last, flush));
    }

    private unsafe CompressionResult ProcessOnce(ReadOnlySequence<byte> source, Span<byte> destination, bool last, bool flush)
    {
        EnterRequest();
        WdContext context = Pick(async: false, source.Length > int.MaxValue ? int.MaxValue : (int)source.Length);
        RequestSlot slot = context.Rent();
        try
        {
            fixed (byte* dst = destination)
            {
                slot.Prepare(isAsync: false, null, last);
                nint table = slot.ShareDataList(source, out int count);
                slot.Share((nint)dst, destination.Length);
                Sqe sqe = BuildSqe(slot.Tag, (ulong)table, (uint)count, (ulong)dst, (uint)destination.Length, last, flush, dataList: true);
                return RunSync(context, slot, in sqe, last);
            }
        }
        catch
        {
            Volatile.Write(ref _busy, 0);
            throw;
        }
        finally
        {
            slot.ReleaseBuffers();
            context.Return(slot);
        }
    }

    /// <summary>Submits a prepared request and reaps until it completes (the caller holds the buffers pinned).</summary>
    private CompressionResult RunSync(WdContext context, RequestSlot slot, in Sqe sqe, bool last)
    {
        long submittedAt = Stopwatch.GetTimestamp();
        context.Submit(slot, in sqe);
        context.WaitSync(slot, submittedAt);
        CompressionResult result = CompressionResult.From(slot.Completion);
        OnCompleted(result, last);
        return result;
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

        return Options.MaxOutputLength is null
            ? ProcessOnceAsync(source, destination, last, flush, cancellationToken)
            : ProcessLimitedAsync(source, destination, last, flush, cancellationToken);
    }

    private async ValueTask<CompressionResult> ProcessLimitedAsync(ReadOnlyMemory<byte> source, Memory<byte> destination, bool last,
        bool flush, CancellationToken cancellationToken)
    {
        int room = LimitRoom(destination.Length, out bool clamped);
        CompressionResult r = room == 0 && clamped
            ? NothingYet
            : await ProcessOnceAsync(source, destination[..room], last, flush, cancellationToken).ConfigureAwait(false);
        if (!NeedsProbe(r, clamped, room))
        {
            return Limited(r, clamped);
        }

        _probe ??= new byte[1];
        return AfterProbe(r, await ProcessOnceAsync(source[r.Consumed..], _probe, last, flush, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>A request not sent because the limit leaves no room: the probe decides.</summary>
    private static CompressionResult NothingYet => new(CompletionStatus.OutOfSpace, 0, 0, 0, false, DataErrorKind.None);

    /// <summary>With <see cref="CompressionSessionOptions.MaxOutputLength"/>: how much of a destination of
    /// <paramref name="length"/> bytes the next request may fill; <paramref name="clamped"/> when the limit, not the
    /// destination, is what bounds it.</summary>
    private int LimitRoom(int length, out bool clamped)
    {
        if (Options.Mode == SessionMode.Stream && !_streamActive)
        {
            _streamOutput = 0;
        }

        long left = Options.MaxOutputLength!.Value - (Options.Mode == SessionMode.Stream ? _streamOutput : 0);
        clamped = length > left;
        return clamped ? (int)left : length;
    }

    /// <summary>The output filled all the room the limit left: one more byte would tell whether there is more. Block
    /// mode needs no probe once a request ran: the device tells a full output from the end of the data itself.</summary>
    private bool NeedsProbe(in CompressionResult r, bool clamped, int room) =>
        clamped && r.Status == CompletionStatus.OutOfSpace && (Options.Mode == SessionMode.Stream || room == 0);

    /// <summary>Counts a request's output against the limit; OUT_OF_SPACE where the limit bounded the destination is the
    /// limit passed.</summary>
    private CompressionResult Limited(in CompressionResult r, bool clamped)
    {
        if (clamped && r.Status == CompletionStatus.OutOfSpace)
        {
            return Exceeded(r);
        }

        _streamOutput += r.Produced;
        return r;
    }

    /// <summary>Merges the probe (a request with a 1-byte destination over the input left) into the request before
    /// it: any output, or still no room, is the limit passed; otherwise the data ended or needs more input right at
    /// the limit.</summary>
    private CompressionResult AfterProbe(in CompressionResult r, in CompressionResult probe)
    {
        if (probe.Produced > 0 || probe.Status == CompletionStatus.OutOfSpace)
        {
            return Exceeded(r);
        }

        return Limited(probe with { Consumed = r.Consumed + probe.Consumed, Produced = r.Produced }, clamped: false);
    }

    /// <summary>The limit passed: a data error; in stream mode the stream is abandoned (the next request starts anew).</summary>
    private CompressionResult Exceeded(in CompressionResult r)
    {
        Reset();
        return r with { Status = CompletionStatus.DataError, DataError = DataErrorKind.OutputLimitExceeded, EndOfStream = false };
    }

    private ValueTask<CompressionResult> ProcessOnceAsync(ReadOnlyMemory<byte> source, Memory<byte> destination, bool last, bool flush,
        CancellationToken cancellationToken)
    {
        WdContext context = EnterAsync(source.Length);

        if (!context.TryRent(out RequestSlot slot))
        {
            return ProcessSlowAsync(context, source, destination, last, flush, cancellationToken);
        }

        return Start(context, slot, source, destination, last, flush);
    }

    private async ValueTask<CompressionResult> ProcessSlowAsync(WdContext context, ReadOnlyMemory<byte> source, Memory<byte> destination,
        bool last, bool flush, CancellationToken cancellationToken)
    {
        RequestSlot slot = await RentOrLeaveAsync(context, cancellationToken).ConfigureAwait(false);
        return await Start(context, slot, source, destination, last, flush).ConfigureAwait(false);
    }

    private ValueTask<CompressionResult> Start(WdContext context, RequestSlot slot, ReadOnlyMemory<byte> source, Memory<byte> destination,
        bool last, bool flush)
    {
        Submit(context, slot, source, destination, last, flush, null, null);
        return new ValueTask<CompressionResult>(slot, slot.Version);
    }

    /// <summary>Waits for a free slot of <paramref name="context"/> (backpressure: every slot is in flight, so this waits
    /// for one to complete); a cancelled wait counts the request out again.</summary>
    private async ValueTask<RequestSlot> RentOrLeaveAsync(WdContext context, CancellationToken cancellationToken)
    {
        try
        {
            return await context.RentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _busy, 0);
            throw;
        }
    }

    /// <summary>Counts an async request in (stream mode: one at a time) and picks its context.</summary>
    private WdContext EnterAsync(int length)
    {
        EnterRequest();
        try
        {
            return Pick(async: true, length);
        }
        catch
        {
            Volatile.Write(ref _busy, 0);
            throw;
        }
    }

    /// <summary>Prepares, pins, shares and submits one async request (its result goes to <paramref name="callback"/>
    /// when there is one, else to the slot's ValueTask); on failure gives everything back.</summary>
    private void Submit(WdContext context, RequestSlot slot, ReadOnlyMemory<byte> source, Memory<byte> destination, bool last, bool flush,
        CompressionCallback? callback, object? state)
    {
        bool submitted = false;
        try
        {
            slot.Prepare(isAsync: true, Options.Mode == SessionMode.Stream ? this : null, last);
            if (callback is not null)
            {
                slot.SetCallback(s_invokeCallback, callback, state);
            }

            nint src = slot.PinAndShare(source);
            nint dst = slot.PinAndShare(destination);
            Sqe sqe = BuildSqe(slot.Tag, (ulong)src, (uint)source.Length, (ulong)dst, (uint)destination.Length, last, flush, dataList: false);
            context.Submit(slot, in sqe, ref submitted);
        }
        catch when (!submitted)
        {
            // Submit clears InFlight itself when it fails; before Submit the slot was never in flight. Once submitted the
            // slot belongs to its completion: an inline request's callback that threw has had it back already.
            slot.ReleaseBuffers();
            context.Return(slot);
            Volatile.Write(ref _busy, 0);
            throw;
        }
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
        WdContext context = EnterAsync(source.Length);

        if (!context.TryRent(out RequestSlot slot))
        {
            Volatile.Write(ref _busy, 0);
            return false;
        }

        Submit(context, slot, source, destination, last, flush, callback, state);
        return true;
    }

    /// <summary>As <see cref="TrySubmit"/>, but when the queue is full waits (asynchronously) for a free slot: the
    /// awaitable form of backpressure. The returned task completes when the request is submitted, not when it is
    /// done; the result goes to <paramref name="callback"/>.</summary>
    public async ValueTask SubmitAsync(ReadOnlyMemory<byte> source, Memory<byte> destination, CompressionCallback callback, object? state = null,
        bool last = true, bool flush = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ThrowIfLimited();
        cancellationToken.ThrowIfCancellationRequested();
        WdContext context = EnterAsync(source.Length);
        RequestSlot slot = await RentOrLeaveAsync(context, cancellationToken).ConfigureAwait(false);
        Submit(context, slot, source, destination, last, flush, callback, state);
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

        EnterRequest();
        WdContext context = Pick(async: true, requests[0].Source.Length);
        return SubmitBatchCore(context, requests, callback, isAsync: true);
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

        EnterRequest();
        WdContext context = Pick(async: false, requests.IsEmpty ? 0 : requests[0].Source.Length);
        int done = 0;
        while (done < requests.Length)
        {
            int batch = Math.Min(requests.Length - done, context.Depth);
            RequestSlot[] slots = ArrayPool<RequestSlot>.Shared.Rent(batch);
            try
            {
                for (int i = 0; i < batch; i++)
                {
                    slots[i] = context.Rent(); // the first ones free; later ones as earlier batches of other callers finish
                }

                bool submitted = false;
                SubmitPrepared(context, requests.Slice(done, batch), slots.AsSpan(0, batch), null, isAsync: false, ref submitted);
                long submittedAt = Stopwatch.GetTimestamp();
                for (int i = 0; i < batch; i++)
                {
                    context.WaitSync(slots[i], submittedAt);
                    results[done + i] = CompressionResult.From(slots[i].Completion);
                }
            }
            finally
            {
                for (int i = 0; i < batch && slots[i] is not null; i++)
                {
                    slots[i].ReleaseBuffers();
                    context.Return(slots[i]);
                    slots[i] = null!;
                }

                ArrayPool<RequestSlot>.Shared.Return(slots);
            }

            done += batch;
        }
    }

    private int SubmitBatchCore(WdContext context, ReadOnlySpan<CompressionRequest> requests, CompressionCallback callback, bool isAsync)
    {
        RequestSlot[] slots = ArrayPool<RequestSlot>.Shared.Rent(requests.Length);
        int rented = 0;
        bool submitted = false;
        try
        {
            while (rented < requests.Length && context.TryRent(out slots[rented]))
            {
                rented++;
            }

            if (rented > 0)
            {
                SubmitPrepared(context, requests[..rented], slots.AsSpan(0, rented), callback, isAsync, ref submitted);
            }

            return rented;
        }
        catch when (!submitted)
        {
            for (int i = 0; i < rented; i++)
            {
                slots[i].ReleaseBuffers();
                context.Return(slots[i]);
            }

            throw;
        }
        finally
        {
            Array.Clear(slots, 0, rented);
            ArrayPool<RequestSlot>.Shared.Return(slots);
        }
    }

    /// <summary>Prepares <paramref name="slots"/> for <paramref name="requests"/> (pinned and shared) and publishes them
    /// with one doorbell. On an exception nothing is in flight; the caller releases the slots.</summary>
    private void SubmitPrepared(WdContext context, ReadOnlySpan<CompressionRequest> requests, ReadOnlySpan<RequestSlot> slots,
        CompressionCallback? callback, bool isAsync, ref bool submitted)
    {
        Sqe[] sqes = ArrayPool<Sqe>.Shared.Rent(requests.Length);
        try
        {
            for (int i = 0; i < requests.Length; i++)
            {
                RequestSlot slot = slots[i];
                CompressionRequest request = requests[i];
                slot.Prepare(isAsync, null, last: true);
                if (callback is not null)
                {
                    slot.SetCallback(s_invokeCallback, callback, request.State);
                }

                nint src = slot.PinAndShare(request.Source);
                nint dst = slot.PinAndShare(request.Destination);
                sqes[i] = BuildSqe(slot.Tag, (ulong)src, (uint)request.Source.Length, (ulong)dst, (uint)request.Destination.Length,
                    last: true, flush: false, dataList: false);
            }

            context.SubmitBatch(slots, sqes.AsSpan(0, requests.Length), ref submitted);
        }
        finally
        {
            ArrayPool<Sqe>.Shared.Return(sqes);
        }
    }

    private void ThrowIfLimited()
    {
        if (Options.MaxOutputLength is not null)
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
    public int Poll(int max = int.MaxValue) => _binding.Poll(max);

    /// <summary>The context for a request of <paramref name="length"/> input bytes (scheduler policy, Mix threshold,
    /// failover).</summary>
    private WdContext Pick(bool async, int length) => _binding.Pick(async, _operation, length, out _);

    /// <summary>Stream mode: abandons the current stream; the next request starts a new one.</summary>
    public void Reset()
    {
        if (_streamActive)
        {
            ReleaseDeviceStream();
        }

        _streamActive = false;
    }

    void IRequestObserver.OnCompleted(in Cqe cqe, bool last) => OnCompleted(CompressionResult.From(cqe), last);

    private void OnCompleted(in CompressionResult result, bool last)
    {
        if (Options.Mode == SessionMode.Stream)
        {
            // The stream goes on unless it ended with this last request or broke.
            _streamActive = result.Status switch
            {
                CompletionStatus.Ok => !(last && result.EndOfStream),
                CompletionStatus.OutOfSpace => true,
                _ => false,
            };
        }

        Volatile.Write(ref _busy, 0);
    }

    private void EnterRequest()
    {
        if (_disposed)
        {
            ThrowHelper.ObjectDisposed(this);
        }

        if (Options.Mode == SessionMode.Stream && Interlocked.Exchange(ref _busy, 1) != 0)
        {
            ThrowHelper.StreamBusy();
        }
    }

    private Sqe BuildSqe(ulong tag, ulong src, uint srcLen, ulong dst, uint dstLen, bool last, bool flush, bool dataList)
    {
        SqeFlags flags = dataList ? SqeFlags.SrcDataList : SqeFlags.None;
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
            Level = (byte)Options.Level,
            WindowBits = (byte)Options.WindowBits,
            Src = src,
            SrcLen = srcLen,
            Dst = dst,
            DstLen = dstLen,
            StreamId = _streamId < 0 ? 0u : (uint)_streamId,
        };
    }

    private void ReleaseDeviceStream()
    {
        WdContext context = _binding.StreamContext!;
        RequestSlot slot = context.Rent();
        try
        {
            slot.Prepare(isAsync: false, null, last: true);
            var sqe = new Sqe { UserData = slot.Tag, Opcode = Opcode.StreamRelease, Flags = SqeFlags.Stream, StreamId = (uint)_streamId };
            long submittedAt = Stopwatch.GetTimestamp();
            context.Submit(slot, in sqe);
            context.WaitSync(slot, submittedAt);
        }
        finally
        {
            context.Return(slot);
        }
    }

    /// <summary>Frees the device-side stream context (stream mode).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
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
