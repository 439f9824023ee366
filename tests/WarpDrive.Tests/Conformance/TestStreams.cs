using System.Buffers;
using System.Runtime.CompilerServices;

namespace WarpDrive.Tests.Conformance;

/// <summary>An in-memory one-way pipe: what <see cref="Writer"/> gets, <see cref="Reader"/> hands out. Reads block
/// until data is there or the writer is closed (a zero-byte read too, as a socket's does); asynchronous reads honour
/// their cancellation token. Writes never block (the buffer grows), so no test can deadlock on a full pipe.</summary>
internal sealed class OneWayPipe
{
    private readonly object _gate = new();
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _count;
    private bool _writerClosed;
    private bool _readerClosed;
    private TaskCompletionSource? _changed;

    public OneWayPipe()
    {
        Writer = new WriteEnd(this);
        Reader = new ReadEnd(this);
    }

    public Stream Writer { get; }

    public Stream Reader { get; }

    /// <summary>A fresh pipe's two ends.</summary>
    public static (Stream Writer, Stream Reader) Create()
    {
        var pipe = new OneWayPipe();
        return (pipe.Writer, pipe.Reader);
    }

    private void Append(ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_writerClosed, Writer);
            if (_count + data.Length > _buffer.Length - _start)
            {
                byte[] bigger = _count + data.Length > _buffer.Length ? new byte[Math.Max(_buffer.Length * 2, _count + data.Length)] : _buffer;
                _buffer.AsSpan(_start, _count).CopyTo(bigger);
                _buffer = bigger;
                _start = 0;
            }

            data.CopyTo(_buffer.AsSpan(_start + _count));
            _count += data.Length;
            Signal();
        }
    }

    private void CloseWriter()
    {
        lock (_gate)
        {
            _writerClosed = true;
            Signal();
        }
    }

    private void CloseReader()
    {
        lock (_gate)
        {
            _readerClosed = true; // a reader still blocked (a test that failed) gets ObjectDisposedException
            Signal();
        }
    }

    private void Signal()
    {
        _changed?.TrySetResult();
        _changed = null;
    }

    /// <summary>Takes what is there into <paramref name="destination"/>; null when the caller must wait on
    /// <paramref name="wait"/> first.</summary>
    private int? TryTake(Span<byte> destination, out Task? wait)
    {
        lock (_gate)
        {
            wait = null;
            ObjectDisposedException.ThrowIf(_readerClosed, Reader);
            if (_count > 0)
            {
                int n = Math.Min(_count, destination.Length);
                _buffer.AsSpan(_start, n).CopyTo(destination);
                _start += n;
                _count -= n;
                return n;
            }

            if (_writerClosed)
            {
                return 0;
            }

            _changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _changed.Task;
            return null;
        }
    }

    private int Take(Span<byte> destination)
    {
        while (true)
        {
            if (TryTake(destination, out Task? wait) is int n)
            {
                return n;
            }

            wait!.Wait();
        }
    }

    private async ValueTask<int> TakeAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        while (true)
        {
            if (TryTake(destination.Span, out Task? wait) is int n)
            {
                return n;
            }

            await wait!.WaitAsync(cancellationToken);
        }
    }

    private abstract class End : Stream
    {
        protected End(OneWayPipe pipe) => Pipe = pipe;

        protected OneWayPipe Pipe { get; }

        protected bool Disposed { get; private set; }

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Flush() => ObjectDisposedException.ThrowIf(Disposed, this);

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }

    private sealed class WriteEnd(OneWayPipe pipe) : End(pipe)
    {
        public override bool CanRead => false;

        public override bool CanWrite => !Disposed;

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            ValidateBufferArguments(buffer, offset, count);
            Write(buffer.AsSpan(offset, count));
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            Pipe.Append(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            ValidateBufferArguments(buffer, offset, count);
            return WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                return ValueTask.FromCanceled(cancellationToken);
            }

            try
            {
                Write(buffer.Span);
                return ValueTask.CompletedTask;
            }
            catch (Exception e)
            {
                return ValueTask.FromException(e);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Pipe.CloseWriter();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class ReadEnd(OneWayPipe pipe) : End(pipe)
    {
        public override bool CanRead => !Disposed;

        public override bool CanWrite => false;

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count)
        {
            ValidateBufferArguments(buffer, offset, count);
            return Read(buffer.AsSpan(offset, count));
        }

        public override int Read(Span<byte> buffer)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            return Pipe.Take(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            ValidateBufferArguments(buffer, offset, count);
            return ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ObjectDisposedException.ThrowIf(Disposed, this);
            return Pipe.TakeAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Pipe.CloseReader();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>Passes everything to an inner stream; the base of the probes below.</summary>
internal class DelegatingStream(Stream inner) : Stream
{
    protected Stream Inner { get; } = inner;

    public override bool CanRead => Inner.CanRead;

    public override bool CanWrite => Inner.CanWrite;

    public override bool CanSeek => Inner.CanSeek;

    public override long Length => Inner.Length;

    public override long Position
    {
        get => Inner.Position;
        set => Inner.Position = value;
    }

    public override long Seek(long offset, SeekOrigin origin) => Inner.Seek(offset, origin);

    public override void SetLength(long value) => Inner.SetLength(value);

    public override void Flush() => Inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => Inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => Inner.Read(buffer, offset, count);

    public override int Read(Span<byte> buffer) => Inner.Read(buffer);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Inner.ReadAsync(buffer, offset, count, cancellationToken);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Inner.ReadAsync(buffer, cancellationToken);

    public override void Write(byte[] buffer, int offset, int count) => Inner.Write(buffer, offset, count);

    public override void Write(ReadOnlySpan<byte> buffer) => Inner.Write(buffer);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        Inner.WriteAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Inner.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>Counts the calls of Flush and FlushAsync that reach the inner stream.</summary>
internal sealed class FlushCountingStream(Stream inner) : DelegatingStream(inner)
{
    private int _flushes;

    public int Flushes => Volatile.Read(ref _flushes);

    public override void Flush()
    {
        Interlocked.Increment(ref _flushes);
        base.Flush();
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _flushes);
        return base.FlushAsync(cancellationToken);
    }
}

/// <summary>A memory stream whose asynchronous reads and writes wait until <see cref="Open"/> is called (and again
/// after <see cref="Shut"/>); <see cref="ReadHit"/> and <see cref="WriteHit"/> say whether one was made.</summary>
internal sealed class GatedMemoryStream : MemoryStream
{
    private readonly ManualResetEventSlim _gate = new(initialState: false);

    public GatedMemoryStream()
    {
    }

    public GatedMemoryStream(byte[] contents)
    {
        Write(contents);
        Position = 0;
    }

    public bool ReadHit { get; set; }

    public bool WriteHit { get; set; }

    public void Open() => _gate.Set();

    public void Shut() => _gate.Reset();

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ReadHit = true;
        await Task.Run(() => _gate.Wait(cancellationToken), cancellationToken);
        return await base.ReadAsync(buffer, offset, count, cancellationToken);
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReadHit = true;
        await Task.Run(() => _gate.Wait(cancellationToken), cancellationToken);
        return await base.ReadAsync(buffer, cancellationToken);
    }

    public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        WriteHit = true;
        await Task.Run(() => _gate.Wait(cancellationToken), cancellationToken);
        await base.WriteAsync(buffer, offset, count, cancellationToken);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        WriteHit = true;
        await Task.Run(() => _gate.Wait(cancellationToken), cancellationToken);
        await base.WriteAsync(buffer, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Set(); // nothing stays blocked on a disposed stream
        }

        base.Dispose(disposing);
    }
}

/// <summary>A base stream that breaks the Stream contract in one way.</summary>
internal sealed class MisbehavingStream(MisbehavingStream.Kind kind, byte[]? contents = null) : Stream
{
    private readonly MemoryStream _contents = new(contents ?? []);

    public enum Kind
    {
        /// <summary>Reads return -1.</summary>
        NegativeCounts,

        /// <summary>Reads return one more than the buffer holds.</summary>
        TooLargeCounts,

        /// <summary>Reads return one byte at a time (legal, but slow).</summary>
        OneByteAtATime,
    }

    public override bool CanRead => true;

    public override bool CanWrite => false;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => kind switch
    {
        Kind.NegativeCounts => -1,
        Kind.TooLargeCounts => buffer.Length + 1,
        _ => _contents.Read(buffer[..Math.Min(1, buffer.Length)]),
    };

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));
}

/// <summary>A memory stream that says it cannot read, or cannot write.</summary>
internal sealed class OneSidedMemoryStream(bool canRead, bool canWrite) : MemoryStream
{
    public override bool CanRead => canRead;

    public override bool CanWrite => canWrite;
}

/// <summary>Memory that is not an array: a read or write through it cannot take the array path.</summary>
internal sealed unsafe class NonArrayMemory(int length) : MemoryManager<byte>
{
    private readonly byte[] _bytes = GC.AllocateArray<byte>(length, pinned: true);

    public override Span<byte> GetSpan() => _bytes;

    public override MemoryHandle Pin(int elementIndex = 0) =>
        new((byte*)Unsafe.AsPointer(ref _bytes[0]) + elementIndex, default, this);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
