using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>One word for <see cref="Futex.TryWaitAny"/> to sleep on (<c>struct futex_waitv</c>, 24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
public struct FutexWaiter
{
    /// <summary>The value the word must still hold for the wait to begin.</summary>
    public ulong Value;

    /// <summary>Address of the 32-bit word; 4-byte aligned.</summary>
    public ulong Address;

    /// <summary>FUTEX_32 (2), without FUTEX_PRIVATE_FLAG: the word may be in memory shared between processes.</summary>
    public uint Flags;

    /// <summary>Must be zero.</summary>
    public uint Reserved;

    /// <summary>A waiter on the shared 32-bit word at <paramref name="address"/> while it equals <paramref name="expected"/>.</summary>
    public static FutexWaiter Create(nint address, uint expected) =>
        new() { Value = expected, Address = (ulong)address, Flags = Interop.Libc.FUTEX2_SIZE_U32 };
}
