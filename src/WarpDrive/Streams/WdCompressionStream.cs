using System.Buffers;
using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Compression;

namespace WarpDrive.Streams;

/// <summary>A <see cref="Stream"/> that compresses or decompresses through a WarpDrive ZIP device, with the shape
/// of System.IO.Compression's streams. Writes are handed to the device straight from the caller's buffer; reads
/// decompress straight into the caller's buffer.</summary>
public abstract class WdCompressionStream : Stream
{
    private const int BufferSize = 256 * 1024;

    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly CompressionMode _mode;
    private readonly CompressionSession _session;
    private byte[]? _buffer;
    private int _inPos;
    private int _inLen;
    private bool _inputEof;
    private bool _ended;
    private bool _dirty;
    private bool _finished;
    private long _compressedBytes;

    /// <summary>Creates the stream over <paramref name="stream"/>.</summary>
    /// <param name="stream">The compressed side: written to when compressing, read from when decompressing.</param>
    /// <param name="mode">Compress or decompress.</param>
    /// <param name="level">Compression level 0-9 (ignored when decompressing).</param>
    /// <param name="leaveOpen">Leave <paramref name="stream"/> open on dispose.</param>
    /// <param name="algorithm">Container format.</param>
    /// <param name="runtime">The runtime (default: <see cref="WdRuntime.Default"/>).</param>
    /// <param name="maxOutputLength">Decompressing: the most bytes the stream may produce in all, null for no limit;
    /// a read that would pass it throws <see cref="WdOutputLimitExceededException"/> (the decompression-bomb guard).</param>
    private protected WdCompressionStream(Stream stream, CompressionMode mode, int level, bool leaveOpen, CompressionAlgorithm algorithm, WdRuntime? runtime,
        long? maxOutputLength = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (mode == CompressionMode.Compress ? !stream.CanWrite : !stream.CanRead)
        {
            throw new ArgumentException(mode == CompressionMode.Compress ? "stream is not writable" : "stream is not readable", nameof(stream));
        }

        _stream = stream;
        _leaveOpen = leaveOpen;
        _mode = mode;
        _session = new CompressionSession(new CompressionSessionOptions
        {
            Algorithm = algorithm,
            Direction = mode == CompressionMode.Compress ? CompressionDirection.Compress : CompressionDirection.Decompress,
            Mode = SessionMode.Stream,
            Level = level,
            MaxOutputLength = maxOutputLength,
        }, runtime);
        _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
    }

    /// <summary>The underlying stream.</summary>
    public Stream BaseStream => _stream;

    /// <summary>Compressed bytes read from (decompressing) or written to (compressing) the underlying stream so far.</summary>
    public long CompressedBytes => _compressedBytes;

    /// <summary>The device doing the work.</summary>
    public WdDeviceInfo Device => _session.Device;

    /// <inheritdoc/>
    public override bool CanRead => _buffer is not null && _mode == CompressionMode.Decompress;

    /// <inheritdoc/>
    public override bool CanWrite => _buffer is not null && _mode == CompressionMode.Compress;

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
    public override int Read(Span<byte> buffer)
    {
        byte[] input = EnsureMode(CompressionMode.Decompress);
        if (buffer.IsEmpty || _ended)
        {
            return 0;
        }

        while (true)
        {
            if (_inPos == _inLen && !_inputEof)
            {
                _inLen = _stream.Read(input, 0, input.Length);
                if (TookInput())
                {
                    return 0;
                }
            }

            CompressionResult r = _session.Process(input.AsSpan(_inPos, _inLen - _inPos), buffer, last: _inputEof);
            if (AfterRead(r, out int produced))
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
        if (buffer.IsEmpty || _ended)
        {
            return 0;
        }

        while (true)
        {
            if (_inPos == _inLen && !_inputEof)
            {
                _inLen = await _stream.ReadAsync(input.AsMemory(), cancellationToken).ConfigureAwait(false);
                if (TookInput())
                {
                    return 0;
                }
            }

            CompressionResult r = await _session.ProcessAsync(input.AsMemory(_inPos, _inLen - _inPos), buffer, last: _inputEof,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (AfterRead(r, out int produced))
            {
                return produced;
            }
        }
    }

    /// <summary>Accounts for <c>_inLen</c> new input bytes; true when the stream turned out to be empty, which reads as
    /// no data (as System.IO.Compression's streams do) rather than as truncated data.</summary>
    private bool TookInput()
    {
        _inPos = 0;
        _inputEof = _inLen == 0;
        _compressedBytes += _inLen;
        _ended = _inputEof && _compressedBytes == 0;
        return _ended;
    }

    /// <summary>Accounts for one decompression step; true when Read should return <paramref name="produced"/>.</summary>
    private bool AfterRead(in CompressionResult r, out int produced)
    {
        _inPos += r.Consumed;
        ThrowIfFailed(r);
        // gzip: the end of one member is not the end while more input may hold another member.
        if (r.EndOfStream && (_inputEof || _session.Options.Algorithm != CompressionAlgorithm.Gzip))
        {
            _ended = true;
        }

        produced = r.Produced;
        return produced > 0 || _ended;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        EnsureMode(CompressionMode.Compress);
        if (!buffer.IsEmpty)
        {
            Compress(buffer, last: false, flush: false);
            _dirty = true;
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
        EnsureMode(CompressionMode.Compress);
        if (!buffer.IsEmpty)
        {
            await CompressAsync(buffer, last: false, flush: false, cancellationToken).ConfigureAwait(false);
            _dirty = true;
        }
    }

    /// <summary>Compressing: pushes everything written so far to the underlying stream (a sync flush, so the
    /// reader can decompress it), then flushes that stream.</summary>
    public override void Flush()
    {
        if (_mode == CompressionMode.Compress && _buffer is not null && _dirty)
        {
            Compress([], last: false, flush: true);
            _dirty = false;
        }

        _stream.Flush();
    }

    /// <inheritdoc/>
    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_mode == CompressionMode.Compress && _buffer is not null && _dirty)
        {
            await CompressAsync(ReadOnlyMemory<byte>.Empty, last: false, flush: true, cancellationToken).ConfigureAwait(false);
            _dirty = false;
        }

        await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private void Compress(ReadOnlySpan<byte> data, bool last, bool flush)
    {
        byte[] output = _buffer!;
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
        byte[] output = _buffer!;
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
        if (_buffer is null)
        {
            ThrowHelper.ObjectDisposed(this);
        }

        if (_mode != mode)
        {
            throw new InvalidOperationException(mode == CompressionMode.Compress ? "stream is open for decompression" : "stream is open for compression");
        }

        return _buffer;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        try
        {
            if (disposing && _buffer is not null && _mode == CompressionMode.Compress && !_finished)
            {
                _finished = true;
                Compress([], last: true, flush: false);
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
            if (_buffer is not null && _mode == CompressionMode.Compress && !_finished)
            {
                _finished = true;
                await CompressAsync(ReadOnlyMemory<byte>.Empty, last: true, flush: false, default).ConfigureAwait(false);
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
        byte[]? buffer = _buffer;
        if (buffer is null)
        {
            return;
        }

        _buffer = null;
        _session.Dispose();
        ArrayPool<byte>.Shared.Return(buffer);
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
