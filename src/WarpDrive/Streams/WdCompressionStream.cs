using System.Buffers;
using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Compression;

namespace WarpDrive.Streams;

/// <summary>A <see cref="Stream"/> that compresses or decompresses through a WarpDrive ZIP device, with the shape
/// and behaviour of System.IO.Compression's streams. A device request costs about a microsecond before any byte moves,
/// so the stream works in device-sized blocks (<see cref="WdCompressionStreamOptions.BlockSize"/>, 64 KiB): small
/// writes are gathered into one request per block, a write of whole blocks goes to the device straight from the
/// caller's buffer; reads take compressed input a block at a time and decompress straight into a caller's buffer of a
/// block or more, else a block ahead into the stream's own buffer.</summary>
public abstract class WdCompressionStream : Stream
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly CompressionMode _mode;
    private readonly CompressionSession _session;
    private readonly int _blockSize;
    private byte[]? _input;  // compressing: the writes gathered so far; decompressing: compressed input from the base stream
    private byte[]? _output; // compressing: the device's output; decompressing: output decompressed ahead of small reads
    private int _inPos;
    private int _inLen;      // compressing: bytes gathered
    private int _outPos;
    private int _outLen;
    private bool _inputEof;
    private bool _ended;
    private bool _heldOutput; // decompressing: the last step filled its buffer, so the device may hold more output
    private bool _dirty;
    private bool _finished;
    private int _asyncActive;
    private long _compressedBytes;
    private string? _trailingGarbage; // gzip: bytes after the last member, reported once that member's output is out
    private bool _limitPassed; // the output limit: reported once the output up to it is out

    /// <summary>Creates the stream over <paramref name="stream"/>.</summary>
    /// <param name="stream">The compressed side: written to when compressing, read from when decompressing.</param>
    /// <param name="mode">Compress or decompress.</param>
    /// <param name="level">Compression level (ignored when decompressing): 0-9, or the zstd or LZ4 levels.</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open on dispose.</param>
    /// <param name="algorithm">Container format.</param>
    /// <param name="runtime">The runtime (default: <see cref="WdRuntime.Default"/>).</param>
    /// <param name="maxOutputLength">Decompressing: the most bytes the stream may produce in all, null for no limit;
    /// a read that would pass it throws <see cref="WdOutputLimitExceededException"/> (the decompression-bomb guard).</param>
    private protected WdCompressionStream(Stream stream, CompressionMode mode, int level, bool leaveOpen, CompressionAlgorithm algorithm, WdRuntime? runtime,
        long? maxOutputLength = null)
        : this(stream, mode, algorithm, new WdCompressionStreamOptions
        {
            Level = level,
            LeaveOpen = leaveOpen,
            Runtime = runtime,
            MaxOutputLength = maxOutputLength,
        })
    {
    }

    /// <summary>Creates the stream over <paramref name="stream"/> with <paramref name="options"/>.</summary>
    private protected WdCompressionStream(Stream stream, CompressionMode mode, CompressionAlgorithm algorithm, WdCompressionStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        if (mode is not (CompressionMode.Compress or CompressionMode.Decompress))
        {
            throw new ArgumentException($"unknown compression mode {(int)mode}", nameof(mode));
        }

        options.Validate(algorithm);
        if (mode == CompressionMode.Compress ? !stream.CanWrite : !stream.CanRead)
        {
            throw new ArgumentException(mode == CompressionMode.Compress ? "stream is not writable" : "stream is not readable", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = options.LeaveOpen;
        _mode = mode;
        _blockSize = options.BlockSize;
        _session = new CompressionSession(new CompressionSessionOptions
        {
            Algorithm = algorithm,
            Direction = mode == CompressionMode.Compress ? CompressionDirection.Compress : CompressionDirection.Decompress,
            Mode = SessionMode.Stream,
            Level = options.Level,
            MaxOutputLength = options.MaxOutputLength,
            InlineOnInProcessDevice = !options.Offload,
            Dictionary = options.Dictionary,
        }, options.Runtime);
        _input = ArrayPool<byte>.Shared.Rent(_blockSize);
        // Compressing, a block and whatever a sync flush or the trailer add fit in one request's output.
        _output = ArrayPool<byte>.Shared.Rent(mode == CompressionMode.Compress ? CompressionSession.GetMaxCompressedLength(_blockSize) : _blockSize);
    }

    /// <summary>The underlying stream (null once this stream is disposed, as System.IO.Compression's streams say).</summary>
    public Stream BaseStream => _input is null ? null! : _stream;

    /// <summary>Compressed bytes read from (decompressing) or written to (compressing) the underlying stream so far.</summary>
    public long CompressedBytes => _compressedBytes;

    /// <summary>The device doing the work.</summary>
    public WdDeviceInfo Device => _session.Device;

    /// <inheritdoc/>
    public override bool CanRead => _input is not null && _mode == CompressionMode.Decompress;

    /// <inheritdoc/>
    public override bool CanWrite => _input is not null && _mode == CompressionMode.Compress;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        return Read(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc/>
    public override int ReadByte()
    {
        byte b = 0;
        return Read(new Span<byte>(ref b)) == 1 ? b : -1;
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        byte[] input = EnsureMode(CompressionMode.Decompress);
        if (TakeHeld(buffer, out int taken))
        {
            return taken;
        }

        while (true)
        {
            if (NeedsInput())
            {
                int n = _stream.Read(input, 0, _blockSize);
                if (TookInput(n) || buffer.IsEmpty)
                {
                    return 0; // an empty stream; or a zero-byte read, which only waits until input is there
                }
            }
            else if (buffer.IsEmpty)
            {
                return 0;
            }

            bool direct = buffer.Length >= _blockSize;
            CompressionResult r = _session.Process(input.AsSpan(_inPos, _inLen - _inPos), direct ? buffer : _output!, last: _inputEof);
            if (AfterRead(r, direct, buffer, out int produced))
            {
                return produced;
            }
        }
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <inheritdoc/>
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        byte[] input = EnsureMode(CompressionMode.Decompress);
        cancellationToken.ThrowIfCancellationRequested();
        BeginAsync();
        try
        {
            if (TakeHeld(buffer.Span, out int taken))
            {
                return taken;
            }

            while (true)
            {
                if (NeedsInput())
                {
                    int n = await _stream.ReadAsync(input.AsMemory(0, _blockSize), cancellationToken).ConfigureAwait(false);
                    EnsureMode(CompressionMode.Decompress); // disposed while the base stream read: the read fails
                    if (TookInput(n) || buffer.IsEmpty)
                    {
                        return 0;
                    }
                }
                else if (buffer.IsEmpty)
                {
                    return 0;
                }

                bool direct = buffer.Length >= _blockSize;
                CompressionResult r = await _session.ProcessAsync(input.AsMemory(_inPos, _inLen - _inPos), direct ? buffer : _output!,
                    last: _inputEof, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (AfterRead(r, direct, buffer.Span, out int produced))
                {
                    return produced;
                }
            }
        }
        finally
        {
            EndAsync();
        }
    }

    // The APM methods go through the task-based ones, as System.IO.Compression's streams do (Stream's own run the
    // synchronous method on the pool and answer the wrong direction with NotSupportedException, not
    // InvalidOperationException; nor would an overlapping operation be refused).

    /// <inheritdoc/>
    public override IAsyncResult BeginRead(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(ReadAsync(buffer, offset, count, CancellationToken.None), callback, state);

    /// <inheritdoc/>
    public override int EndRead(IAsyncResult asyncResult) => TaskToAsyncResult.End<int>(asyncResult);

    /// <inheritdoc/>
    public override IAsyncResult BeginWrite(byte[] buffer, int offset, int count, AsyncCallback? callback, object? state) =>
        TaskToAsyncResult.Begin(WriteAsync(buffer, offset, count, CancellationToken.None), callback, state);

    /// <inheritdoc/>
    public override void EndWrite(IAsyncResult asyncResult) => TaskToAsyncResult.End(asyncResult);

    /// <summary>Hands out output decompressed ahead; true when the read is answered (also at the end of the data).</summary>
    private bool TakeHeld(Span<byte> buffer, out int taken)
    {
        taken = Math.Min(buffer.Length, _outLen - _outPos);
        if (taken > 0)
        {
            _output.AsSpan(_outPos, taken).CopyTo(buffer);
            _outPos += taken;
            return true;
        }

        if (_trailingGarbage is not null)
        {
            throw new InvalidDataException(_trailingGarbage); // the member before it is all out: now the garbage
        }

        if (_limitPassed)
        {
            throw new WdOutputLimitExceededException(_session.Options.MaxOutputLength ?? 0); // the output up to the limit is out
        }

        return _ended || (buffer.IsEmpty && (_outLen > _outPos || _heldOutput || _inPos < _inLen));
    }

    /// <summary>Whether the next step needs input from the base stream: none is left, more may come, and the device
    /// holds no output of what it already took (a reader must not block on the base stream while output is ready).</summary>
    private bool NeedsInput() => _inPos == _inLen && !_inputEof && !_heldOutput;

    /// <summary>Accounts for <paramref name="n"/> new input bytes; true when the stream turned out to be empty, which
    /// reads as no data (as System.IO.Compression's streams do) rather than as truncated data.</summary>
    private bool TookInput(int n)
    {
        // A negative count is no data: the end of the input, as System.IO.Compression's streams read it.
        n = Math.Max(n, 0);
        if (n > _blockSize)
        {
            throw new InvalidDataException($"the underlying stream returned {n} bytes for a read of {_blockSize}");
        }

        _inPos = 0;
        _inLen = n;
        _inputEof = n == 0;
        _compressedBytes += n;
        _ended = _inputEof && _compressedBytes == 0;
        return _ended;
    }

    /// <summary>Accounts for one decompression step into the caller's buffer (<paramref name="direct"/>) or the stream's
    /// own; true when Read should return <paramref name="produced"/> bytes (copied to <paramref name="buffer"/>).</summary>
    private bool AfterRead(in CompressionResult r, bool direct, Span<byte> buffer, out int produced)
    {
        _inPos += r.Consumed;
        if (r.Status == CompletionStatus.DataError && r.DataError == DataErrorKind.TrailingGarbage && r.Produced > 0)
        {
            // gzip: the member before the garbage is whole (its CRC and length checked). Hand its output out first,
            // as System.IO.Compression's GZipStream does, and throw at the garbage on the read after (where the
            // runtime's stream ignores it: Conformance/README.md).
            _trailingGarbage = r.DescribeError();
            _ended = true;
        }
        else if (r.Status == CompletionStatus.DataError && r.DataError == DataErrorKind.OutputLimitExceeded && r.Produced > 0)
        {
            // The request that passed the limit filled the room up to it: hand that out first (a reader gets exactly
            // the limit whatever the request sizes), and throw on the read after.
            _limitPassed = true;
            _ended = true;
        }
        else
        {
            ThrowIfFailed(r);
        }

        _heldOutput = r.Status == CompletionStatus.OutOfSpace;
        // gzip, zstd, LZ4: the end of one member or frame is not the end while more input may hold another one.
        if (r.EndOfStream && (_inputEof || _session.Options.Algorithm is not (CompressionAlgorithm.Gzip or CompressionAlgorithm.Zstd or CompressionAlgorithm.Lz4)))
        {
            _ended = true;
        }

        produced = r.Produced;
        if (!direct && produced > 0)
        {
            _outPos = 0;
            _outLen = produced;
            TakeHeld(buffer, out produced);
        }

        return produced > 0 || _ended;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write(new ReadOnlySpan<byte>(in value));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        byte[] gathered = EnsureMode(CompressionMode.Compress);
        while (!buffer.IsEmpty)
        {
            if (_inLen == 0 && buffer.Length >= _blockSize)
            {
                // A whole block: to the device from the caller's own buffer.
                Compress(buffer[.._blockSize], last: false, flush: false);
                buffer = buffer[_blockSize..];
                continue;
            }

            int n = Gather(gathered, buffer);
            buffer = buffer[n..];
            if (_inLen == _blockSize)
            {
                Compress(gathered.AsSpan(0, _blockSize), last: false, flush: false);
                _inLen = 0;
            }
        }
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        byte[] gathered = EnsureMode(CompressionMode.Compress);
        cancellationToken.ThrowIfCancellationRequested();
        BeginAsync();
        try
        {
            while (!buffer.IsEmpty)
            {
                if (_inLen == 0 && buffer.Length >= _blockSize)
                {
                    await CompressAsync(buffer[.._blockSize], last: false, flush: false, cancellationToken).ConfigureAwait(false);
                    buffer = buffer[_blockSize..];
                    continue;
                }

                int n = Gather(gathered, buffer.Span);
                buffer = buffer[n..];
                if (_inLen == _blockSize)
                {
                    await CompressAsync(gathered.AsMemory(0, _blockSize), last: false, flush: false, cancellationToken).ConfigureAwait(false);
                    _inLen = 0;
                }
            }
        }
        finally
        {
            EndAsync();
        }
    }

    /// <summary>Adds what fits of <paramref name="data"/> to the block being gathered; returns how much.</summary>
    private int Gather(byte[] gathered, ReadOnlySpan<byte> data)
    {
        int n = Math.Min(_blockSize - _inLen, data.Length);
        data[..n].CopyTo(gathered.AsSpan(_inLen));
        _inLen += n;
        _dirty = true;
        return n;
    }

    /// <summary>Compressing: pushes everything written so far to the underlying stream (a sync flush, so the
    /// reader can decompress it), then flushes that stream.</summary>
    public override void Flush()
    {
        if (_mode == CompressionMode.Compress && _input is not null && _dirty)
        {
            Compress(_input.AsSpan(0, _inLen), last: false, flush: true);
            _inLen = 0;
            _dirty = false;
        }

        _stream.Flush();
    }

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        // As System.IO.Compression's streams: a flush while another asynchronous operation is under way is refused at
        // once (InvalidOperationException from the call, not from its task), whatever the mode and whether or not
        // there is anything to flush.
        BeginAsync();
        return FlushAsyncCore(cancellationToken);
    }

    private async Task FlushAsyncCore(CancellationToken cancellationToken)
    {
        try
        {
            if (_mode == CompressionMode.Compress && _input is not null && _dirty)
            {
                await CompressAsync(_input.AsMemory(0, _inLen), last: false, flush: true, cancellationToken).ConfigureAwait(false);
                _inLen = 0;
                _dirty = false;
            }

            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            EndAsync();
        }
    }

    private void Compress(ReadOnlySpan<byte> data, bool last, bool flush)
    {
        byte[] output = _output!;
        while (true)
        {
            CompressionResult r = _session.Process(data, output, last, flush);
            ThrowIfFailed(r);
            _stream.Write(output, 0, r.Produced);
            _compressedBytes += r.Produced;
            data = data[r.Consumed..];
            if (r.Status != CompletionStatus.OutOfSpace)
            {
                return;
            }
        }
    }

    private async ValueTask CompressAsync(ReadOnlyMemory<byte> data, bool last, bool flush, CancellationToken cancellationToken)
    {
        byte[] output = _output!;
        while (true)
        {
            CompressionResult r = await _session.ProcessAsync(data, output, last, flush, cancellationToken).ConfigureAwait(false);
            ThrowIfFailed(r);
            await _stream.WriteAsync(output.AsMemory(0, r.Produced), cancellationToken).ConfigureAwait(false);
            _compressedBytes += r.Produced;
            data = data[r.Consumed..];
            if (r.Status != CompletionStatus.OutOfSpace)
            {
                return;
            }
        }
    }

    private void ThrowIfFailed(in CompressionResult r)
    {
        switch (r.Status)
        {
            case CompletionStatus.Ok or CompletionStatus.OutOfSpace:
                return;
            case CompletionStatus.DataError when r.DataError == DataErrorKind.OutputLimitExceeded:
                _ended = true;
                throw new WdOutputLimitExceededException(_session.Options.MaxOutputLength ?? 0);
            case CompletionStatus.DataError:
                throw new InvalidDataException(r.DescribeError());
            default:
                ThrowHelper.DeviceStatus(r.Status);
                return;
        }
    }

    private byte[] EnsureMode(CompressionMode mode)
    {
        if (_input is null)
        {
            ThrowHelper.ObjectDisposed(this);
        }

        if (_mode != mode)
        {
            throw new InvalidOperationException(mode == CompressionMode.Compress ? "stream is open for decompression" : "stream is open for compression");
        }

        return _input;
    }

    /// <summary>One asynchronous operation at a time, as System.IO.Compression's streams require.</summary>
    private void BeginAsync()
    {
        if (Interlocked.Exchange(ref _asyncActive, 1) != 0)
        {
            throw new InvalidOperationException("the stream is already in use by a previous asynchronous operation");
        }
    }

    private void EndAsync() => Volatile.Write(ref _asyncActive, 0);

    /// <summary>Whether an asynchronous operation is in progress (tests).</summary>
    internal bool IsAsyncActive => Volatile.Read(ref _asyncActive) != 0;

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        try
        {
            if (disposing && _input is not null && _mode == CompressionMode.Compress && !_finished)
            {
                _finished = true;
                Compress(_input.AsSpan(0, _inLen), last: true, flush: false);
                _inLen = 0;
                _stream.Flush();
            }
        }
        finally
        {
            if (disposing)
            {
                Release();
            }

            base.Dispose(disposing);
        }
    }

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        try
        {
            if (_input is not null && _mode == CompressionMode.Compress && !_finished)
            {
                _finished = true;
                await CompressAsync(_input.AsMemory(0, _inLen), last: true, flush: false, default).ConfigureAwait(false);
                _inLen = 0;
                await _stream.FlushAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            Release();
            await base.DisposeAsync().ConfigureAwait(false);
            GC.SuppressFinalize(this);
        }
    }

    private void Release()
    {
        byte[]? input = _input, output = _output;
        if (input is null)
        {
            return;
        }

        _input = null;
        _output = null;
        _session.Dispose();
        // Disposed under an asynchronous operation (the runtime's streams allow it, and that operation then fails): it
        // may still write into these buffers, so they go to the GC, not back to the pool where another renter would
        // get them.
        if (Volatile.Read(ref _asyncActive) == 0)
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output!);
        }
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
