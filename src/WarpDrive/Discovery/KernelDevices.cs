using System.Diagnostics.CodeAnalysis;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Discovery;

/// <summary>The kernel's uacce devices (<c>/sys/class/uacce</c>) that libwd has a driver for: HiSilicon ZIP and SEC
/// queues (<c>hisi_qm_v2</c>) and HPRE queues (<c>hisi_qm_v2</c> or <c>hisi_qm_v3</c>) with SVA. They outrank every other device (<see cref="WdDeviceInfo.Priority"/> 300).</summary>
/// <param name="options">Where the devices and their nodes are.</param>
/// <param name="onlyAccessible">Leave out devices whose node this user may not open (mode <c>Auto</c>: a machine whose
/// nodes are root's, as they are by default, uses the other devices instead of failing every request).</param>
/// <param name="openSoftware">Opens a queue on the software device that offers an algorithm (the runtime's inline
/// device), for what a SEC engine lacks; null or a null answer: such requests are UNSUPPORTED.</param>
internal sealed class KernelDevices(UacceOptions options, bool onlyAccessible = false, Func<string, QueueTransport?>? openSoftware = null)
    : IDeviceProvider
{
    private static readonly TimeSpan s_waitPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>The queue protocol the driver speaks.</summary>
    public const string HisiQmV2 = "hisi_qm_v2";

    public string Location => KernelDeviceDirectory.Location;

    /// <summary>Whether libwd can drive <paramref name="device"/>: a HiSilicon QM v2 device with SVA that offers zlib or
    /// gzip (ZIP), or cipher, digest or aead (SEC: hisi_sec2 lists those), or an HPRE device with SVA on QM v2
    /// (Kunpeng 920: rsa and dh) or v3 (its ECC algorithms too; v3 rings the v2 doorbell, as UADK's
    /// <c>hisi_qm_setup_db</c> does for every version after v1).</summary>
    public static bool HasDriver(WdDeviceInfo device) =>
        device.HasSva && ((device.Api == HisiQmV2 && (device.Supports("zlib") || device.Supports("gzip") || IsSec(device)))
            || (device.Api is HisiQmV2 or HisiQmApi.V3 && IsHpre(device)));

    /// <summary>Whether <paramref name="device"/> is a SEC engine (it lists cipher, digest or aead).</summary>
    public static bool IsSec(WdDeviceInfo device) => device.Supports("cipher") || device.Supports("digest") || device.Supports("aead");

    /// <summary>Whether <paramref name="device"/> is an HPRE engine (hisi_hpre lists rsa, dh, ecdh, ecdsa, sm2, x25519
    /// and x448 as its hardware has them: <c>hpre_dev_algs</c> in the kernel's <c>hpre_main.c</c>).</summary>
    public static bool IsHpre(WdDeviceInfo device) => device.Supports("rsa") || device.Supports("dh") || HasEcc(device);

    /// <summary>Whether the HPRE <paramref name="device"/> has ECC (it lists an ECC algorithm): its queues of
    /// <c>qc_type</c> 1 run those.</summary>
    public static bool HasEcc(WdDeviceInfo device) =>
        device.Supports("ecdh") || device.Supports("ecdsa") || device.Supports("sm2") || device.Supports("x25519") || device.Supports("x448");

    /// <summary>A software queue for what <paramref name="device"/>'s engine lacks (null when there is none).</summary>
    internal QueueTransport? OpenSoftware(WdDeviceInfo device) => openSoftware?.Invoke(IsHpre(device)
        ? "rsa"
        : device.Algorithms.FirstOrDefault(a => a is "cipher" or "digest" or "aead") ?? "cipher");

    public IReadOnlyList<WdDeviceInfo> GetDevices() =>
        [.. KernelDeviceDirectory.Read(options.ClassDirectory).Where(d => HasDriver(d) && (!onlyAccessible || IsAccessible(d)))];

    private bool IsAccessible(WdDeviceInfo device) =>
        options.OpenQueueFile is not null || Platform.DeviceFile.CanOpenReadWrite(Path.Combine(options.DeviceDirectory, device.Name));

    public bool TryOpenQueue(WdDeviceInfo device, [NotNullWhen(true)] out QueueTransport? queue, bool wait, CancellationToken cancellationToken)
    {
        string node = Path.Combine(options.DeviceDirectory, device.Name);
        // ZIP: one queue compresses, one decompresses; HPRE: one for RSA and DH, one for ECC where it has ECC (their
        // qc_type); SEC: one.
        int count = IsSec(device) ? 1 : IsHpre(device) ? (HasEcc(device) ? 2 : 1) : 2;
        while (true)
        {
            if (TryOpenAll(node, count) is { } files)
            {
                queue = new KernelQueueTransport(this, device, files);
                return true;
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

    /// <summary>Opens <paramref name="count"/> queue files on <paramref name="node"/>; null when the device has not so
    /// many free (those opened are closed again).</summary>
    private IUacceQueueFile[]? TryOpenAll(string node, int count)
    {
        var files = new List<IUacceQueueFile>(count);
        try
        {
            while (files.Count < count && TryOpen(node, out IUacceQueueFile? file))
            {
                files.Add(file);
            }
        }
        catch
        {
            files.ForEach(f => f.Dispose());
            throw;
        }

        if (files.Count == count)
        {
            return [.. files];
        }

        files.ForEach(f => f.Dispose());
        return null;
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
