using System.Buffers;

namespace WarpDrive.AspNetCore;

/// <summary>The response stream of <see cref="WarpDriveGzipCompressionProvider"/> while it does not yet know whether a
/// response is small: it holds the first <see cref="WarpDriveGzipCompressionProviderOptions.SmallResponseThreshold"/>
/// bytes. A response that ends or is first flushed within them is compressed by the runtime's GZipStream (cheaper for a
/// few kilobytes, and for a stream of small flushed pieces); one that grows past them goes to the provider's device
/// stream, the held bytes first.</summary>
internal sealed class DeferredGzipStream : Stream
{
    private readonly WarpDriveGzipCompressionProvider _provider;
    private readonly Stream _output;
    private readonly int _threshold;
    private byte[]? _held;
    private int _length;
    private Stream? _target;
    private bool _disposed;

    public DeferredGzipStream(WarpDriveGzipCompressionProvider provider, Stream output, int threshold)
    {
        _provider = provider;
        _output = output;
        _threshold = threshold;
        _held = ArrayPool<byte>.Shared.Rent(threshold);
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !_disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        ValidateBufferArguments(buffer, offset, count);
        Write(buffer.AsSpan(offset, count));
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_target is null && !Hold(buffer))
        {
            HandOver(Decide());
        }

        _target?.Write(buffer);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ValidateBufferArguments(buffer, offset, count);
        return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_target is null && !Hold(buffer.Span))
        {
            await HandOverAsync(Decide(), cancellationToken).ConfigureAwait(false);
        }

        if (_target is not null)
        {
            await _target.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Holds <paramref name="data"/> if it still fits under the threshold.</summary>
    private bool Hold(ReadOnlySpan<byte> data)
    {
        if (_length + data.Length > _threshold)
        {
            return false;
        }

        data.CopyTo(_held!.AsSpan(_length));
        _length += data.Length;
        return true;
    }

    /// <summary>The response is not small: the provider's stream (device, or its fallback) takes it from here.</summary>
    private Stream Decide() => _target = _provider.CreateLargeStream(_output);

    /// <summary>Writes what was held to the chosen <paramref name="target"/> and gives the holding buffer back.</summary>
    private void HandOver(Stream target)
    {
        target.Write(_held!.AsSpan(0, _length));
        Release();
    }

    private async ValueTask HandOverAsync(Stream target, CancellationToken cancellationToken)
    {
        await target.WriteAsync(_held!.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
        Release();
    }

    // A flush decides too, for what was held so far: a JSON serialiser flushes once at its end, a streamed response
    // after each piece. Still under the threshold, the response is small so far, and a stream of small flushed pieces
    // is cheaper on the runtime's gzip too (each flush would be a device request of its own).
    private Stream DecideAtFlush() => _target = _provider.CreateSmallStream(_output);

    public override void Flush()
    {
        if (!_disposed && _target is null)
        {
            HandOver(DecideAtFlush());
        }

        _target?.Flush();
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_disposed && _target is null)
        {
            await HandOverAsync(DecideAtFlush(), cancellationToken).ConfigureAwait(false);
        }

        if (_target is not null)
        {
            await _target.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            try
            {
                if (_target is null)
                {
                    using Stream small = _provider.CreateSmallStream(_output);
                    small.Write(_held!.AsSpan(0, _length));
                }
                else
                {
                    _target.Dispose();
                }
            }
            finally
            {
                Release();
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (!_disposed)
        {
            _disposed = true;
            try
            {
                if (_target is null)
                {
                    await using Stream small = _provider.CreateSmallStream(_output);
                    await small.WriteAsync(_held!.AsMemory(0, _length)).ConfigureAwait(false);
                }
                else
                {
                    await _target.DisposeAsync().ConfigureAwait(false);
                }
            }
            finally
            {
                Release();
            }
        }

        await base.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    private void Release()
    {
        if (_held is { } held)
        {
            _held = null;
            ArrayPool<byte>.Shared.Return(held);
        }
    }
}
