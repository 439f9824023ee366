using System.Diagnostics.CodeAnalysis;
using WarpDrive.Abi;

namespace WarpDrive;

/// <summary>Throw paths kept out of hot methods so that those stay small and inlinable.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void QueueDisabled(QueueState state) =>
        throw new WdException($"queue is {state.ToString().ToLowerInvariant()}: the device no longer serves it");

    [DoesNotReturn]
    public static void QueueFull() => throw new WdException("submission queue full: more requests in flight than the ring depth");

    [DoesNotReturn]
    public static void StreamBusy() =>
        throw new InvalidOperationException("a stream-mode session runs one request at a time");

    [DoesNotReturn]
    public static void DeviceStatus(CompletionStatus status) =>
        throw new WdException($"device returned {status}");

    [DoesNotReturn]
    public static void ObjectDisposed(object instance) => throw new ObjectDisposedException(instance.GetType().Name);
}
