namespace WarpDrive.Abi.Uacce;

/// <summary>The Linux errno values a uacce queue file answers with (<see cref="IUacceQueueFile.Ioctl"/>, and the
/// <c>HResult</c> of the <see cref="IOException"/> an open or a mapping fails with).</summary>
public static class UacceErrno
{
    /// <summary>No free queue on the device (<c>open</c>), or the queue is in a state that refuses the request.</summary>
    public const int EBUSY = 16;

    /// <summary>A bad argument: an unknown queue type, a region of the wrong size, START_Q before the regions are mapped.</summary>
    public const int EINVAL = 22;

    /// <summary>The device does not know the request (a kernel without <c>UACCE_CMD_QM_SET_QP_INFO</c>).</summary>
    public const int ENOTTY = 25;
}
