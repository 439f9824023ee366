using System.Diagnostics.CodeAnalysis;
using WarpDrive.Abi;

namespace WarpDrive;

/// <summary>Throw paths kept out of hot methods so that those stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void QueueDisabled(QueueState state, QueueDisableReason reason) =>
        throw new WdException($"{DescribeQueue(state, reason)}: the device no longer serves it");

    /// <summary>"queue is disabled (the broker is gone)" and the like.</summary>
    public static string DescribeQueue(QueueState state, QueueDisableReason reason) => state == QueueState.Disabled
        ? $"queue is disabled ({DescribeReason(reason)})"
        : $"queue is {state.ToString().ToLowerInvariant()}";

    private static string DescribeReason(QueueDisableReason reason) => reason switch
    {
        QueueDisableReason.Operator => "by the device host",
        QueueDisableReason.TooManyErrors => "too many invalid requests",
        QueueDisableReason.RingViolation => "the ring protocol was broken",
        QueueDisableReason.DeviceIsolated => "the device is isolated",
        QueueDisableReason.BrokerExit => "the broker is shutting down",
        QueueDisableReason.BrokerLost => "the broker is gone",
        QueueDisableReason.KernelStopped => "the kernel stopped it",
        _ => $"reason {(uint)reason}",
    };

    [DoesNotReturn]
    public static void QueueFull() => throw new WdException("submission queue full: more requests in flight than the ring depth");

    [DoesNotReturn]
    public static void StreamBusy() =>
        throw new InvalidOperationException("a stream-mode session runs one request at a time");

    [DoesNotReturn]
    public static void DeviceStatus(CompletionStatus status) =>
        throw new WdException(status switch
        {
            CompletionStatus.AddressFault => "device returned AddressFault: it cannot reach a buffer of the request (on a broker device without SVA, buffers must come from WdRuntime.ReserveMemory)",
            CompletionStatus.Disabled => "device returned Disabled: the queue was disabled",
            _ => $"device returned {status}",
        });

    [DoesNotReturn]
    public static void ObjectDisposed(object instance) => throw new ObjectDisposedException(instance.GetType().Name);
}
