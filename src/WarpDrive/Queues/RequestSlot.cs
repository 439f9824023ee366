using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks.Sources;
using WarpDrive.Abi;
using WarpDrive.Compression;

namespace WarpDrive.Queues;

/// <summary>One in-flight request of a <see cref="WdContext"/>: its tag, the buffers pinned and shared for the
/// device while it runs (the GUP of the seed), and the completion (a reusable <see cref="IValueTaskSource{T}"/>:
/// no allocation per request in steady state). The completion is the CQE itself; the algorithm library's
/// <see cref="CompletionMapper"/> turns it into the caller's result or exception.</summary>
internal sealed class RequestSlot : IValueTaskSource<CompressionResult>, IValueTaskSource<int>, IValueTaskSource<bool>, IThreadPoolWorkItem
{
    /// <summary>Bytes of device-visible scratch each slot owns: the parameter block, the IV and small inputs.</summary>
    public const int ScratchSize = 1024;

    private readonly WdContext _owner;
    private ManualResetValueTaskSourceCore<Cqe> _core;
    private CompletionMapper? _mapper;
    private MemoryHandle[] _pins = new MemoryHandle[2];
    private int[] _shares = new int[2];
    private int _pinCount;
    private int _shareCount;
    private DataListEntry[]? _dataList;
    private WdSharedMemory? _sharedTable;
    private volatile bool _done;
    private Exception? _error;
    private readonly bool _needsShares;
    private SlotCallback? _invoker;
    private object? _callback;
    private object? _callbackState;

    public RequestSlot(WdContext owner, int index)
    {
        _owner = owner;
        _needsShares = owner.Queue.NeedsShares;
        Index = index;
        // Hazard: user continuations must never run on the poller (a blocking one would stall every completion,
        // one that waits on another request would deadlock it). Deliver() queues this slot itself to the thread
        // pool (no allocation) and the continuation runs inline there.
        _core.RunContinuationsAsynchronously = false;
    }

    public int Index { get; }

    public uint Generation { get; private set; }

    /// <summary>Published to the device and not yet completed or failed. Set and cleared by the context under its
    /// submit lock (and reap lock), so that failing abandoned requests never races a submission.</summary>
    public bool InFlight { get; set; }

    public bool IsAsync { get; private set; }

    /// <summary>When the request was published (Stopwatch ticks): always for an async request (the poller's
    /// service-time estimate), for a synchronous one only while <see cref="Diagnostics.WdMetrics.DurationName"/> has a
    /// listener; else 0.</summary>
    public long SubmittedAt { get; set; }

    /// <summary>The published SQE's opcode (the metrics' <c>operation</c> tag).</summary>
    public Opcode Opcode { get; private set; }

    /// <summary>The published SQE's algorithm byte (the metrics' <c>algorithm</c> tag).</summary>
    public byte AlgorithmId { get; private set; }

    /// <summary>The published SQE's mode byte (HMAC or plain hash, for the <c>algorithm</c> tag).</summary>
    public byte Mode { get; private set; }

    /// <summary>Input bytes the published request names: its source length, or the total of its data list's entries.</summary>
    public long SourceBytes { get; private set; }

    private long _dataListBytes;

    public bool Done => _done;

    /// <summary>Pins and shares the request holds now (0 between requests: tests).</summary>
    public int HeldBuffers => _pinCount + _shareCount;

    public Cqe Completion { get; private set; }

    /// <summary>The session to notify before the result is published (<see cref="Pipeline.IRequestOwner"/>).</summary>
    public IRequestObserver? Session { get; private set; }

    public bool Last { get; private set; }

    public ulong Tag => ((ulong)Generation << 32) | (uint)Index;

    public short Version => (short)_core.Version;

    public void Prepare(bool isAsync, IRequestObserver? session, bool last, CompletionMapper? mapper = null)
    {
        Generation++;
        _mapper = mapper;
        _done = false;
        IsAsync = isAsync;
        Session = session;
        Last = last;
        InFlight = false;
        _dataListBytes = 0;
        _invoker = null;
        _callback = null;
        _callbackState = null;
        _core.Reset();
    }

    /// <summary>Keeps what the metrics tag a request with (publication, under the submit lock): a few stores.</summary>
    public void NoteSubmission(in Sqe sqe)
    {
        Opcode = sqe.Opcode;
        AlgorithmId = sqe.Algorithm;
        Mode = sqe.Mode;
        SourceBytes = (sqe.Flags & SqeFlags.SrcDataList) != 0 ? _dataListBytes : sqe.SrcLen;
    }

    /// <summary>Completes this async request through <paramref name="callback"/> instead of the ValueTask: on the thread
    /// that reaps it, after the slot went back (the callback may submit again). Call after <see cref="Prepare"/>.</summary>
    public void SetCallback(SlotCallback invoker, object callback, object? state)
    {
        _invoker = invoker;
        _callback = callback;
        _callbackState = state;
    }

    /// <summary>Shares memory the caller keeps pinned (a <c>fixed</c> span) for the duration of the request; nothing
    /// where the device sees the whole address space (<see cref="WdQueue.NeedsShares"/>).</summary>
    public void Share(nint address, int length)
    {
        if (length == 0 || !_needsShares)
        {
            return;
        }

        if (_shareCount == _shares.Length)
        {
            Array.Resize(ref _shares, _shares.Length * 2);
        }

        _shares[_shareCount++] = _owner.Queue.Share(address, length);
    }

    /// <summary>Pins and shares <paramref name="memory"/> until the request completes; returns its address.</summary>
    public nint PinAndShare(ReadOnlyMemory<byte> memory)
    {
        nint address = Pin(memory);
        Share(address, memory.Length);
        return address;
    }

    /// <summary>Pins <paramref name="memory"/> until the request completes, without sharing it (the caller shares it
    /// once it knows it is needed); returns its address.</summary>
    public unsafe nint Pin(ReadOnlyMemory<byte> memory)
    {
        if (memory.IsEmpty)
        {
            return 0;
        }

        if (_pinCount == _pins.Length)
        {
            Array.Resize(ref _pins, _pins.Length * 2);
        }

        MemoryHandle handle = memory.Pin();
        _pins[_pinCount++] = handle;
        return (nint)handle.Pointer;
    }

    /// <summary>This slot's device-visible scratch (<see cref="ScratchSize"/> bytes) and its address.</summary>
    public unsafe Span<byte> Scratch(out nint address)
    {
        DeviceBuffer scratch = _owner.Scratch;
        address = scratch.Address + (Index * ScratchSize);
        return new Span<byte>((void*)address, ScratchSize);
    }

    /// <summary>A data-list table of at least <paramref name="entries"/> entries, owned by this slot, and its address.
    /// On an SVA device it is pinned managed memory; on a device without SVA (a SHARE-only broker device) the table
    /// itself must be device-visible, so it lives in memory reserved from the device's provider.</summary>
    public unsafe Span<DataListEntry> DataListTable(int entries, out nint address)
    {
        int wanted = Math.Max(entries, 16);
        if (!_owner.Queue.Device.HasSva)
        {
            if (_sharedTable is null || _sharedTable.Length < wanted * DataListEntry.Size)
            {
                _sharedTable?.Dispose();
                _sharedTable = null;
                // Whole pages: 256 entries each; the region is this slot's until the context goes.
                _sharedTable = _owner.Queue.ReserveMemory((wanted * DataListEntry.Size + 4095) & ~4095);
            }

            address = _sharedTable.Address;
            return MemoryMarshal.Cast<byte, DataListEntry>(_sharedTable.GetSpan());
        }

        if (_dataList is null || _dataList.Length < entries)
        {
            _dataList = GC.AllocateArray<DataListEntry>(wanted, pinned: true);
        }

        address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_dataList)); // pinned: stays put
        return _dataList;
    }

    /// <summary>Builds and shares a data-list table of the non-empty segments of <paramref name="source"/>, each pinned and
    /// shared until the request completes; returns the table's address (0 for no segments) and the entry count.</summary>
    /// <exception cref="ArgumentException">More than <see cref="DataListEntry.MaxEntries"/> segments.</exception>
    public nint ShareDataList(ReadOnlySequence<byte> source, out int count)
    {
        count = 0;
        foreach (ReadOnlyMemory<byte> segment in source)
        {
            count += segment.IsEmpty ? 0 : 1;
        }

        if (count > DataListEntry.MaxEntries)
        {
            throw new ArgumentException($"a data list holds at most {DataListEntry.MaxEntries} segments", nameof(source));
        }

        Span<DataListEntry> table = DataListTable(count, out nint address);
        int i = 0;
        foreach (ReadOnlyMemory<byte> segment in source)
        {
            if (!segment.IsEmpty)
            {
                table[i++] = new DataListEntry { Address = (ulong)PinAndShare(segment), Length = (uint)segment.Length };
                _dataListBytes += segment.Length;
            }
        }

        Share(address, count * DataListEntry.Size);
        return count == 0 ? 0 : address;
    }

    /// <summary>Frees the slot's device-visible table, if it has one.</summary>
    public void DisposeSharedTable()
    {
        _sharedTable?.Dispose();
        _sharedTable = null;
    }

    /// <summary>Withdraws every share and pin of this request.</summary>
    public void ReleaseBuffers()
    {
        for (int i = 0; i < _shareCount; i++)
        {
            _owner.Queue.Unshare(_shares[i]);
        }

        _shareCount = 0;
        for (int i = 0; i < _pinCount; i++)
        {
            _pins[i].Dispose();
            _pins[i] = default;
        }

        _pinCount = 0;
    }

    /// <summary>Records the completion (reaper, under its lock). Sync waiters see <see cref="Done"/>.</summary>
    public void Record(in Cqe cqe)
    {
        Completion = cqe;
        InFlight = false;
        if (!IsAsync)
        {
            _done = true;
        }
    }

    /// <summary>Publishes an async completion (reaper, outside its lock): the buffers go back, then the result is
    /// set on a thread-pool thread.</summary>
    /// <param name="inline">Publish on this thread (an inline request, completed before its ValueTask was handed
    /// out: no continuation can be waiting yet).</param>
    public void Deliver(bool inline = false)
    {
        ReleaseBuffers();
        Session?.OnCompleted(Completion, Last);
        if (_invoker is not null)
        {
            InvokeCallback(Completion);
        }
        else if (inline)
        {
            ((IThreadPoolWorkItem)this).Execute();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
    }

    private void InvokeCallback(in Cqe cqe)
    {
        SlotCallback invoker = _invoker!;
        object callback = _callback!;
        object? state = _callbackState;
        _invoker = null;
        _callback = null;
        _callbackState = null;
        _owner.Return(this);
        invoker(in cqe, callback, state);
    }

    void IThreadPoolWorkItem.Execute()
    {
        Exception? error = _error;
        if (error is null)
        {
            _core.SetResult(Completion);
        }
        else
        {
            _error = null;
            _core.SetException(error);
        }
    }

    /// <summary>Marks the request as no longer expected from the device (reaper lock held).</summary>
    public void Abandon() => InFlight = false;

    /// <summary>Fails an async request the device will never complete (its queue stopped being served);
    /// like a result, the failure is published from the thread pool.</summary>
    public void Fail(Exception error)
    {
        InFlight = false;
        ReleaseBuffers();
        // The session sees it end like any completion (a stream breaks; a crypto session counts it out), with a status
        // that says the queue stopped; so does a callback.
        var stopped = new Cqe { UserData = Tag, Status = CompletionStatus.Disabled };
        Session?.OnCompleted(stopped, Last);
        if (_invoker is not null)
        {
            InvokeCallback(stopped);
            return;
        }

        _error = error;
        ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
    }

    CompressionResult IValueTaskSource<CompressionResult>.GetResult(short token) => CompressionResult.From(TakeResult(token));

    int IValueTaskSource<int>.GetResult(short token)
    {
        CompletionMapper mapper = _mapper!;
        Cqe cqe = TakeResult(token);
        return mapper(in cqe);
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        CompletionMapper mapper = _mapper!;
        Cqe cqe = TakeResult(token);
        return mapper(in cqe) != 0; // a verification's mapper: 1 valid, 0 not (it throws for anything else)
    }

    private Cqe TakeResult(short token)
    {
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            _owner.Return(this);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
