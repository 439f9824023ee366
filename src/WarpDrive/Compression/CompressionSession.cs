using System.Buffers;
using System.Diagnostics;
using WarpDrive.Abi;
using WarpDrive.Queues;

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
    private readonly WdContext _context;
    private readonly int _streamId;
    private bool _streamActive;
    private int _busy;
    private bool _disposed;

    /// <summary>Opens a session on <paramref name="runtime"/> (default: <see cref="WdRuntime.Default"/>).</summary>
    /// <exception cref="WdDeviceNotFoundException">No device offers the algorithm.</exception>
    public CompressionSession(CompressionSessionOptions options, WdRuntime? runtime = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _context = (runtime ?? WdRuntime.Default).GetContext(options.AlgorithmName, options.Mode == SessionMode.Stream, out _streamId);
    }

    /// <summary>The session's parameters.</summary>
    public CompressionSessionOptions Options { get; }

    /// <summary>The device the session runs on.</summary>
    public WdDeviceInfo Device => _context.Queue.Device;

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
    public unsafe CompressionResult Process(ReadOnlySpan<byte> source, Span<byte> destination, bool last = true, bool flush = false)
    {
        EnterRequest();
        RequestSlot slot = _context.Rent();
        try
        {
            fixed (byte* src = source)
            fixed (byte* dst = destination)
            {
                slot.Prepare(isAsync: false, null, last);
                slot.Share((nint)src, source.Length);
                slot.Share((nint)dst, destination.Length);
                Sqe sqe = BuildSqe(slot.Tag, (ulong)src, (uint)source.Length, (ulong)dst, (uint)destination.Length, last, flush, dataList: false);
                return RunSync(slot, in sqe, last);
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
            _context.Return(slot);
        }
    }

    /// <summary>Runs one request whose input is a data list: each segment of <paramref name="source"/> becomes one
    /// entry of a scatter-gather table that the device reads directly (no gathering copy).</summary>
    public unsafe CompressionResult Process(ReadOnlySequence<byte> source, Span<byte> destination, bool last = true, bool flush = false)
    {
        EnterRequest();
        RequestSlot slot = _context.Rent();
        try
        {
            fixed (byte* dst = destination)
            {
                slot.Prepare(isAsync: false, null, last);
                nint table = slot.ShareDataList(source, out int count);
                slot.Share((nint)dst, destination.Length);
                Sqe sqe = BuildSqe(slot.Tag, (ulong)table, (uint)count, (ulong)dst, (uint)destination.Length, last, flush, dataList: true);
                return RunSync(slot, in sqe, last);
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
            _context.Return(slot);
        }
    }

    /// <summary>Submits a prepared request and reaps until it completes (the caller holds the buffers pinned).</summary>
    private CompressionResult RunSync(RequestSlot slot, in Sqe sqe, bool last)
    {
        long submittedAt = Stopwatch.GetTimestamp();
        _context.Submit(slot, in sqe);
        _context.WaitSync(slot, submittedAt);
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

        EnterRequest();
        if (!_context.TryRent(out RequestSlot slot))
        {
            return ProcessSlowAsync(source, destination, last, flush, cancellationToken);
        }

        return Start(slot, source, destination, last, flush);
    }

    private async ValueTask<CompressionResult> ProcessSlowAsync(ReadOnlyMemory<byte> source, Memory<byte> destination, bool last,
        bool flush, CancellationToken cancellationToken)
    {
        RequestSlot slot;
        try
        {
            slot = await _context.RentAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Volatile.Write(ref _busy, 0);
            throw;
        }

        return await Start(slot, source, destination, last, flush).ConfigureAwait(false);
    }

    private ValueTask<CompressionResult> Start(RequestSlot slot, ReadOnlyMemory<byte> source, Memory<byte> destination, bool last, bool flush)
    {
        try
        {
            slot.Prepare(isAsync: true, Options.Mode == SessionMode.Stream ? this : null, last);
            nint src = slot.PinAndShare(source);
            nint dst = slot.PinAndShare(destination);
            Sqe sqe = BuildSqe(slot.Tag, (ulong)src, (uint)source.Length, (ulong)dst, (uint)destination.Length, last, flush, dataList: false);
            _context.Submit(slot, in sqe);
            return new ValueTask<CompressionResult>(slot, slot.Version);
        }
        catch
        {
            // Submit clears InFlight itself when it fails; before Submit the slot was never in flight.
            slot.ReleaseBuffers();
            _context.Return(slot);
            Volatile.Write(ref _busy, 0);
            throw;
        }
    }

    /// <summary>Completes finished asynchronous requests of this session's context without blocking (UADK's
    /// wd_comp_poll); needed only when the runtime runs without background polling.</summary>
    /// <returns>How many requests completed.</returns>
    public int Poll(int max = int.MaxValue) => _context.Poll(max);

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
        RequestSlot slot = _context.Rent();
        try
        {
            slot.Prepare(isAsync: false, null, last: true);
            var sqe = new Sqe { UserData = slot.Tag, Opcode = Opcode.StreamRelease, Flags = SqeFlags.Stream, StreamId = (uint)_streamId };
            long submittedAt = Stopwatch.GetTimestamp();
            _context.Submit(slot, in sqe);
            _context.WaitSync(slot, submittedAt);
        }
        finally
        {
            _context.Return(slot);
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
                if (_context.Queue.State == QueueState.Started)
                {
                    ReleaseDeviceStream();
                }
            }
            finally
            {
                _context.FreeStreamId(_streamId);
            }
        }
    }
}
