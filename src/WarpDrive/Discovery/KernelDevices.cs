using System.Diagnostics.CodeAnalysis;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Discovery;

/// <summary>The kernel's uacce devices (<c>/sys/class/uacce</c>) that libwd has a driver for: HiSilicon ZIP queues
/// (<c>hisi_qm_v2</c>) with SVA. They outrank every other device (<see cref="WdDeviceInfo.Priority"/> 300).</summary>
/// <param name="options">Where the devices and their nodes are.</param>
/// <param name="onlyAccessible">Leave out devices whose node this user may not open (mode <c>Auto</c>: a machine whose
/// nodes are root's, as they are by default, uses the other devices instead of failing every request).</param>
internal sealed class KernelDevices(UacceOptions options, bool onlyAccessible = false) : IDeviceProvider
{
    private static readonly TimeSpan s_waitPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>The queue protocol the driver speaks.</summary>
    public const string HisiQmV2 = "hisi_qm_v2";

    public string Location => KernelDeviceDirectory.Location;

    /// <summary>Whether libwd can drive <paramref name="device"/>: a HiSilicon QM v2 device with SVA that offers zlib or gzip.</summary>
    public static bool HasDriver(WdDeviceInfo device) =>
        device.Api == HisiQmV2 && device.HasSva && (device.Supports("zlib") || device.Supports("gzip"));

    public IReadOnlyList<WdDeviceInfo> GetDevices() =>
        [.. KernelDeviceDirectory.Read(options.ClassDirectory).Where(d => HasDriver(d) && (!onlyAccessible || IsAccessible(d)))];

    private bool IsAccessible(WdDeviceInfo device) =>
        options.OpenQueueFile is not null || Platform.DeviceFile.CanOpenReadWrite(Path.Combine(options.DeviceDirectory, device.Name));

    public bool TryOpenQueue(WdDeviceInfo device, [NotNullWhen(true)] out QueueTransport? queue, bool wait, CancellationToken cancellationToken)
    {
        string node = Path.Combine(options.DeviceDirectory, device.Name);
        while (true)
        {
            if (TryOpen(node, out IUacceQueueFile? compress))
            {
                try
                {
                    if (TryOpen(node, out IUacceQueueFile? decompress))
                    {
                        queue = new KernelQueueTransport(this, device, compress, decompress);
                        return true;
                    }
                }
                catch
                {
                    compress.Dispose();
                    throw;
                }

                compress.Dispose();
            }

            if (!wait)
            {
                queue = null;
                return false;
            }

            // The kernel keeps no queue of waiters: poll until someone releases a queue.
            cancellationToken.WaitHandle.WaitOne(s_waitPollInterval);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    /// <summary>Opens a queue file on <paramref name="node"/>.</summary>
    /// <returns>false when every queue of the device is taken (EBUSY).</returns>
    /// <exception cref="WdException">Any other failure.</exception>
    private bool TryOpen(string node, [NotNullWhen(true)] out IUacceQueueFile? file)
    {
        try
        {
            file = (options.OpenQueueFile ?? KernelQueueFile.Open)(node);
            return true;
        }
        catch (IOException e) when (e.HResult == UacceErrno.EBUSY)
        {
            file = null;
            return false; // every queue of the device is taken
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new WdException($"cannot open {node}: {e.Message}", e);
        }
    }

    /// <summary>Memory the devices reach (SVA: any memory of the process; page-aligned native memory here).</summary>
    public WdSharedMemory ReserveMemory(int length) => WdSharedMemory.AllocatePages(length, Location);

    public void Dispose()
    {
    }
}
