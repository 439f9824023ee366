using System.Diagnostics;
using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Devices;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Fairness;

/// <summary>A queue of a real in-process device owned by a chosen tenant, driven through its rings as a client
/// would: publish, ring the doorbell when the engine sleeps, reap. Not thread-safe: one driving thread.</summary>
internal sealed unsafe class RawTenantQueue : IDisposable
{
    private readonly DeviceHost _host;
    private readonly HardwareQueue _queue;
    private readonly SubmissionProducer _sq;
    private readonly CompletionConsumer _cq;
    private readonly QueueRegion _region;

    public RawTenantQueue(DeviceHost host, Domain domain, DeviceTenant tenant)
    {
        _host = host;
        _queue = host.AllocateQueue(domain, 0, tenant);
        Assert.True(QueueRegion.TryOpen(_queue.RegionBase, _queue.RegionSize, out _region, out string? error), error);
        _sq = new SubmissionProducer(_region);
        _cq = new CompletionConsumer(_region);
    }

    public HardwareQueue Queue => _queue;

    public int InFlight { get; private set; }

    public bool TrySubmit(in Sqe sqe)
    {
        if (!_sq.TryPublish(in sqe))
        {
            return false;
        }

        InFlight++;
        if (_sq.RingDoorbellIfWaiting())
        {
            Futex.Wake(_region.DoorbellAddress);
        }

        return true;
    }

    public bool TryReap(out Cqe cqe)
    {
        if (!_cq.TryConsume(out cqe))
        {
            return false;
        }

        InFlight--;
        return true;
    }

    /// <summary>Waits (polling, with naps) for the next completion.</summary>
    public Cqe Reap(TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        SpinWait spin = default;
        Cqe cqe;
        while (!TryReap(out cqe))
        {
            Assert.True(clock.Elapsed < timeout, $"no completion within {timeout}");
            spin.SpinOnce(sleep1Threshold: 20);
        }

        return cqe;
    }

    /// <summary>Submits and waits for one request.</summary>
    public Cqe Run(in Sqe sqe, TimeSpan timeout)
    {
        Assert.True(TrySubmit(in sqe));
        return Reap(timeout);
    }

    public void Dispose() => _host.ReleaseQueue(_queue);

    /// <summary>Page-aligned native memory for requests (the in-process domain covers the whole address space).</summary>
    public static byte* Alloc(int length) => (byte*)NativeMemory.AlignedAlloc((nuint)length, 4096);
}
