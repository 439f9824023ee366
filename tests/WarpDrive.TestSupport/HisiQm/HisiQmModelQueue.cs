using System.Runtime.InteropServices;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.TestSupport.HisiQm;

/// <summary>One open of a <see cref="HisiQmModel"/>'s node: one queue pair, as the kernel's uacce queue file and the
/// hardware behind it present it (any hisi_qm engine: what an SQE means is the model's <see cref="IHisiQmEngine"/>). It answers the uacce and hisi_qm ioctls, maps its MMIO and DUS regions (native,
/// page-aligned memory of this process), takes doorbells through <see cref="WriteMmio64"/> and serves its SQ on an
/// worker of its own between <c>UACCE_CMD_START_Q</c> and <c>UACCE_CMD_PUT_Q</c>.</summary>
public sealed unsafe class HisiQmModelQueue : IUacceQueueFile
{
    private const int Efault = 14;
    private const int Einval = 22;
    private const int Enotty = 25;
    private const int StateInit = 0;
    private const int StateStarted = 1;
    private const int StateStopped = 2;
    private static readonly TimeSpan s_idleWake = TimeSpan.FromMilliseconds(100);

    private readonly HisiQmModel _model;
    private readonly object _gate = new();
    private readonly ModelSignal _doorbell = new();
    private readonly ModelSignal _completion = new();
    private byte* _mmio;
    private byte* _dus;
    private bool _mmioMapped;
    private bool _dusMapped;
    private Thread? _engine;
    private volatile int _state;
    private volatile bool _stopping;
    private int _sqTail;
    private int _cqHead;
    private long _readSeen;
    private long _served;

    internal HisiQmModelQueue(HisiQmModel model, string path, ushort queueId)
    {
        _model = model;
        Path = path;
        QueueId = queueId;
        nuint page = (nuint)Environment.SystemPageSize;
        _mmio = (byte*)NativeMemory.AlignedAlloc(HisiQmModel.MmioSize, page);
        _dus = (byte*)NativeMemory.AlignedAlloc((nuint)model.DusSize, page);
        NativeMemory.Clear(_mmio, HisiQmModel.MmioSize);
        NativeMemory.Clear(_dus, (nuint)model.DusSize);
    }

    /// <inheritdoc />
    public string Path { get; }

    /// <summary>The queue pair's index (<c>hisi_qp_ctx.id</c>): the queue number its doorbells and CQEs carry.</summary>
    public ushort QueueId { get; }

    /// <summary>The queue's type from <c>UACCE_CMD_QM_SET_QP_CTX</c> (0 also when the ioctl never came): for ZIP, 0
    /// compression and 1 decompression.</summary>
    public int QcType { get; private set; }

    /// <summary>SQEs the engine has completed (a CQE posted for each).</summary>
    public long RequestsServed => Interlocked.Read(ref _served);

    /// <summary>Whether <c>UACCE_CMD_START_Q</c> started the queue and nothing has stopped it since.</summary>
    public bool IsServing => _state == StateStarted;

    /// <inheritdoc />
    /// <remarks>Answers <see cref="UacceIoctl.QmSetQpContext"/>, <see cref="UacceIoctl.QmSetQpInfo"/> (EINVAL when the
    /// model is made without it, as older kernels answer), <see cref="UacceIoctl.StartQueue"/> and <see cref="UacceIoctl.PutQueue"/>; ENOTTY for
    /// any other request, EINVAL for one out of turn, EFAULT for a missing argument.</remarks>
    public int Ioctl(uint request, void* argument)
    {
        if (request == UacceIoctl.QmSetQpContext)
        {
            if (argument == null)
            {
                return Efault;
            }

            var context = (HisiQpContext*)argument;
            lock (_gate)
            {
                if (_state != StateInit || context->QcType > 1)
                {
                    return Einval;
                }

                QcType = context->QcType;
                context->Id = QueueId;
                return 0;
            }
        }

        if (request == UacceIoctl.QmSetQpInfo)
        {
            if (!_model.SupportsQpInfo)
            {
                return Einval; // as kernels before the request answer: hisi_qm_uacce_ioctl's and uacce's default
            }

            if (argument == null)
            {
                return Efault;
            }

            var info = (HisiQpInfo*)argument;
            info->SqeSize = (uint)_model.SqeSize;
            info->SqDepth = (ushort)_model.Depth;
            info->CqDepth = (ushort)_model.Depth;
            return 0;
        }

        if (request == UacceIoctl.StartQueue)
        {
            return Start();
        }

        if (request == UacceIoctl.PutQueue)
        {
            Stop();
            return 0;
        }

        return Enotty;
    }

    /// <inheritdoc />
    /// <remarks>The length must be the region's size (<see cref="HisiQmModel.MmioSize"/>,
    /// <see cref="HisiQmModel.DusSize"/>); mapping a region again returns the same address.</remarks>
    /// <exception cref="IOException">Another region or length (<see cref="Exception.HResult"/> 22, EINVAL).</exception>
    public nint Map(UacceRegion region, long length)
    {
        long size = region switch
        {
            UacceRegion.Mmio => HisiQmModel.MmioSize,
            UacceRegion.Dus => _model.DusSize,
            _ => -1,
        };
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_dus == null, this);
            if (size < 0 || length != size)
            {
                throw new IOException($"{Path}: mmap of region {region} ({length} bytes): Invalid argument", Einval);
            }

            if (region == UacceRegion.Mmio)
            {
                _mmioMapped = true;
                return (nint)_mmio;
            }

            _dusMapped = true;
            return (nint)_dus;
        }
    }

    /// <inheritdoc />
    /// <remarks>Only the v2 doorbell at <see cref="HisiQmDoorbell.OffsetV2"/> is taken; other offsets are ignored. The
    /// value is stored in the MMIO page and handed to the engine (an SQ doorbell's tail, a CQ doorbell's head), unless
    /// it names another queue or the queue is not serving.</remarks>
    public void WriteMmio64(int offset, ulong value)
    {
        if (offset != HisiQmDoorbell.OffsetV2)
        {
            return;
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_mmio == null, this);
            Volatile.Write(ref *(ulong*)(_mmio + offset), value);
            (ushort queue, byte command, ushort index, _) = HisiQmDoorbell.DecodeV2(value);
            if (_state != StateStarted || _stopping || queue != QueueId)
            {
                return;
            }

            if (command == HisiQmDoorbell.CommandSq)
            {
                Volatile.Write(ref _sqTail, index % _model.Depth);
            }
            else if (command == HisiQmDoorbell.CommandCq)
            {
                Volatile.Write(ref _cqHead, index % _model.Depth);
            }
            else
            {
                return;
            }
        }

        _doorbell.Set();
    }

    /// <inheritdoc />
    /// <remarks>Ready when a CQE was posted since the last wait that returned true (as the kernel's poll reports new
    /// CQEs since its last look), and at once when the queue is stopped.</remarks>
    public bool WaitReadable(TimeSpan timeout)
    {
        if (_state == StateStopped)
        {
            return true;
        }

        long seen = Interlocked.Read(ref _readSeen);
        bool ready = _completion.Wait(ref seen, timeout);
        if (ready)
        {
            Interlocked.Exchange(ref _readSeen, seen);
        }

        return ready || _state == StateStopped;
    }

    /// <summary>Stops serving, as <c>UACCE_CMD_PUT_Q</c>, an operator's reset or the kernel's error handling do: both
    /// status words become 1, doorbells are ignored from now on, and it returns once the engine has finished the
    /// request in progress. A stopped queue does not start again.</summary>
    public void Stop()
    {
        Thread? engine;
        lock (_gate)
        {
            _stopping = true;
            _state = StateStopped;
            engine = _engine;
            if (_dus != null)
            {
                long size = _model.DusSize;
                Volatile.Write(ref *(uint*)(_dus + HisiQmDus.TxStatusOffset(size)), HisiQmDus.Stopped);
                Volatile.Write(ref *(uint*)(_dus + HisiQmDus.RxStatusOffset(size)), HisiQmDus.Stopped);
            }
        }

        _doorbell.Set();
        _completion.Set();
        if (engine is not null && engine != Thread.CurrentThread)
        {
            engine.Join();
        }
    }

    /// <summary>Stops the queue (as <c>UACCE_CMD_PUT_Q</c>), frees its regions once the engine has left, and gives the
    /// queue back to the model.</summary>
    public void Dispose()
    {
        Stop();
        lock (_gate)
        {
            if (_dus == null)
            {
                return;
            }

            NativeMemory.AlignedFree(_mmio);
            NativeMemory.AlignedFree(_dus);
            _mmio = null;
            _dus = null;
        }

        _model.Release(this);
    }

    private int Start()
    {
        lock (_gate)
        {
            if (_state != StateInit || !_mmioMapped || !_dusMapped)
            {
                return Einval;
            }

            _state = StateStarted;
            _engine = new Thread(Serve) { IsBackground = true, Name = $"{_model.Name}-q{QueueId}" };
            _engine.Start();
            return 0;
        }
    }

    /// <summary>The engine: SQEs from its SQ head up to the last SQ doorbell's tail, results into each SQE (the model's
    /// <see cref="IHisiQmEngine"/>), then a CQE at its CQ tail (never overtaking the last CQ doorbell's head), phase 1
    /// in the first lap.</summary>
    private void Serve()
    {
        int depth = _model.Depth;
        int sqeSize = _model.SqeSize;
        var cq = (HisiQmCqe*)(_dus + HisiQmDus.CqOffset(sqeSize, depth));
        int sqHead = 0, cqTail = 0;
        ushort phase = HisiQmCqe.PhaseBit;
        using IHisiQmEngine engine = _model.CreateEngine(QcType);
        while (!_stopping)
        {
            long seen = _doorbell.Generation;
            if (sqHead == Volatile.Read(ref _sqTail))
            {
                _ = _doorbell.Wait(ref seen, s_idleWake);
                continue;
            }

            engine.Execute(_dus + ((long)sqHead * sqeSize));
            while (true)
            {
                seen = _doorbell.Generation;
                if ((cqTail + 1) % depth != Volatile.Read(ref _cqHead))
                {
                    break;
                }

                if (_stopping)
                {
                    return;
                }

                _ = _doorbell.Wait(ref seen, s_idleWake);
            }

            HisiQmCqe* cqe = cq + cqTail;
            cqe->Reserved0 = 0;
            cqe->CommandId = 0;
            cqe->Reserved1 = 0;
            cqe->SqHead = (ushort)sqHead;
            cqe->SqNumber = QueueId;
            cqe->Reserved2 = 0;
            Interlocked.Increment(ref _served); // before the CQE shows: whoever reaped it sees the count
            Volatile.Write(ref cqe->W7, phase); // last: the driver takes the entry once the phase matches
            if (++cqTail == depth)
            {
                cqTail = 0;
                phase ^= HisiQmCqe.PhaseBit;
            }

            sqHead = (sqHead + 1) % depth;
            _completion.Set();
        }
    }
}
