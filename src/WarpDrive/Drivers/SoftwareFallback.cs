using WarpDrive.Abi;
using WarpDrive.Diagnostics;
using WarpDrive.Discovery;
using WarpDrive.Queues;

namespace WarpDrive.Drivers;

/// <summary>Where a kernel device's driver sends the requests its hardware lacks: a queue on the runtime's inline
/// device of the same kind (the software device model, served on the submitting thread), opened at the first such
/// request. Each request sent is counted in <see cref="WdMetrics.FallbacksName"/>. The request goes as it came: the
/// inline device reaches the whole address space, so its addresses hold there too.</summary>
/// <param name="device">The kernel device (the meter's tags).</param>
/// <param name="open">Opens the software queue; null when there is none (no software device, or all its queues taken).</param>
internal sealed class SoftwareFallback(WdDeviceInfo device, Func<QueueTransport?> open) : IDisposable
{
    private QueueTransport? _transport;
    private QueueDriver? _driver;
    private bool _unavailable;
    private bool _unflushed;

    /// <summary>Requests sent to software.</summary>
    public long Count { get; private set; }

    /// <summary>Whether the software queue was opened.</summary>
    public bool IsOpen => Volatile.Read(ref _driver) is not null;

    /// <summary>Sends <paramref name="sqe"/> to software.</summary>
    /// <returns>None when it went; <see cref="CompletionStatus.Unsupported"/> when there is no software device (the
    /// caller answers it so); <see cref="CompletionStatus.Busy"/> when its queue is full.</returns>
    public CompletionStatus TryPublish(in Sqe sqe)
    {
        QueueDriver? driver = Open();
        if (driver is null)
        {
            return CompletionStatus.Unsupported;
        }

        if (!driver.TryPublish(in sqe))
        {
            return CompletionStatus.Busy;
        }

        _unflushed = true;
        Count++;
        WdMetrics.CountFallback(device, in sqe);
        return CompletionStatus.Ok;
    }

    /// <summary>Sends <paramref name="sqe"/> to software, or answers it in <paramref name="local"/> where there is no
    /// software device (<see cref="CompletionStatus.Unsupported"/>, counted in the driver's <paramref name="errors"/>).</summary>
    /// <returns>false when software's queue is full: the caller tries again later.</returns>
    public bool TrySendOrRefuse(in Sqe sqe, LocalCompletions local, ref uint errors)
    {
        CompletionStatus sent = TryPublish(in sqe);
        if (sent == CompletionStatus.Busy)
        {
            return false;
        }

        if (sent != CompletionStatus.Ok)
        {
            local.Stage(new Cqe { UserData = sqe.UserData, Status = sent });
            Interlocked.Increment(ref errors);
        }

        return true;
    }

    /// <summary>Serves what was sent since the last call (on this thread).</summary>
    public void Flush()
    {
        if (!_unflushed)
        {
            return;
        }

        _unflushed = false;
        _driver!.Flush();
        _transport!.ServeInline();
    }

    /// <summary>Takes a completion of software, if one is ready.</summary>
    public bool TryConsume(out Cqe cqe)
    {
        cqe = default;
        return Volatile.Read(ref _driver) is { } driver && driver.TryConsume(out cqe);
    }

    /// <summary>Whether software has a completion ready.</summary>
    public bool HasCompletion() => Volatile.Read(ref _driver) is { } driver && driver.HasCompletion();

    private QueueDriver? Open()
    {
        if (_driver is not null || _unavailable)
        {
            return _driver;
        }

        _transport = open();
        if (_transport is null || !_transport.ServesInline)
        {
            _transport?.Dispose();
            _transport = null;
            _unavailable = true;
            return null;
        }

        Volatile.Write(ref _driver, _transport.CreateDriver());
        return _driver;
    }

    public void Dispose()
    {
        _transport?.Dispose();
        _driver?.Dispose();
    }
}
