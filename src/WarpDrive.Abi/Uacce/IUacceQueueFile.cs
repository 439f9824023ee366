namespace WarpDrive.Abi.Uacce;

/// <summary>One open of a uacce character device (<c>/dev/&lt;name&gt;-&lt;id&gt;</c>): one hardware queue. What a user
/// driver needs from it: the ioctls, the regions mapped into the process, 64-bit stores into the MMIO region (the
/// doorbells) and a wait for completions. On hardware it is the kernel's device file; in tests it is the device model's
/// queue, so that the same driver runs against both.</summary>
public unsafe interface IUacceQueueFile : IDisposable
{
    /// <summary>The device node it was opened from.</summary>
    string Path { get; }

    /// <summary>Issues <paramref name="request"/> (<see cref="UacceIoctl"/>) with <paramref name="argument"/> (its
    /// structure, or null).</summary>
    /// <returns>0, or the errno the device answered (ENOTTY for a request it does not know, EINVAL, EBUSY, ...).</returns>
    int Ioctl(uint request, void* argument);

    /// <summary>Maps <paramref name="length"/> bytes of <paramref name="region"/> (the device's
    /// <c>region_&lt;name&gt;_size</c>) into this process, shared and read-write, until the file is disposed.</summary>
    /// <exception cref="IOException">The device refused the mapping (a wrong length or region).</exception>
    nint Map(UacceRegion region, long length);

    /// <summary>One 64-bit store at <paramref name="offset"/> in the mapped MMIO region (a doorbell). Hardware latches
    /// every store; a model must not lose one that the next store overwrites before it looked.</summary>
    void WriteMmio64(int offset, ulong value);

    /// <summary>Waits until a completion may be ready (<c>poll()</c> for <c>POLLIN</c>), at most
    /// <paramref name="timeout"/> (negative: no limit).</summary>
    /// <returns>false when the time ran out.</returns>
    bool WaitReadable(TimeSpan timeout);
}
