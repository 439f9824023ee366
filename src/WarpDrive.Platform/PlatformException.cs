using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>A Linux call failed; <see cref="Errno"/> says why.</summary>
/// <remarks>The message names the call and the error, e.g. <c>memfd_create failed: EMFILE (Too many open files)</c>.</remarks>
public class PlatformException : IOException
{
    /// <summary>Creates an exception for a failed call.</summary>
    /// <param name="call">What failed, as it should appear in the message: <c>memfd_create</c>, <c>connect to '/run/wd.sock'</c>.</param>
    /// <param name="errno">The errno the call left.</param>
    public PlatformException(string call, int errno)
        : base($"{call} failed: {Describe(errno)}")
    {
        Errno = errno;
    }

    /// <summary>Creates an exception with a message of the caller's own.</summary>
    public PlatformException(string message, int errno, Exception? innerException)
        : base(message, innerException)
    {
        Errno = errno;
    }

    /// <summary>The Linux errno value (<c>EPERM</c> = 1, <c>ENOENT</c> = 2, ...).</summary>
    public int Errno { get; }

    /// <summary>The peer closed the connection: EPIPE on a send, ECONNRESET on a receive (it closed with our message
    /// unread). What it sent before closing may still be waiting to be received.</summary>
    public bool IsPeerGone => Errno is Interop.Libc.EPIPE or Interop.Libc.ECONNRESET;

    /// <summary>Formats an errno as its symbolic name and text: <c>EMFILE (Too many open files)</c>.</summary>
    public static string Describe(int errno) => $"{GetErrnoName(errno)} ({Marshal.GetPInvokeErrorMessage(errno)})";

    /// <summary>The symbolic name of an errno value (<c>ENOENT</c>), or <c>errno N</c> for an unusual one.</summary>
    public static string GetErrnoName(int errno) => errno switch
    {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        4 => "EINTR",
        5 => "EIO",
        6 => "ENXIO",
        7 => "E2BIG",
        9 => "EBADF",
        10 => "ECHILD",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        14 => "EFAULT",
        16 => "EBUSY",
        17 => "EEXIST",
        19 => "ENODEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        23 => "ENFILE",
        24 => "EMFILE",
        25 => "ENOTTY",
        27 => "EFBIG",
        28 => "ENOSPC",
        30 => "EROFS",
        32 => "EPIPE",
        36 => "ENAMETOOLONG",
        38 => "ENOSYS",
        40 => "ELOOP",
        88 => "ENOTSOCK",
        90 => "EMSGSIZE",
        91 => "EPROTOTYPE",
        92 => "ENOPROTOOPT",
        93 => "EPROTONOSUPPORT",
        95 => "EOPNOTSUPP",
        97 => "EAFNOSUPPORT",
        98 => "EADDRINUSE",
        99 => "EADDRNOTAVAIL",
        103 => "ECONNABORTED",
        104 => "ECONNRESET",
        105 => "ENOBUFS",
        106 => "EISCONN",
        107 => "ENOTCONN",
        110 => "ETIMEDOUT",
        111 => "ECONNREFUSED",
        _ => $"errno {errno}",
    };

    /// <summary>Throws for the errno the last P/Invoke left.</summary>
    internal static PlatformException FromLastError(string call) => new(call, Marshal.GetLastPInvokeError());
}
