using System.Runtime.CompilerServices;

namespace WarpDrive.Abi;

/// <summary>
/// The memory-ordering primitives of the shared rings and of device doorbells, by name, so that each use says which
/// order it needs. On x64 (TSO) every load is an acquire and every store a release already, and only a store followed
/// by a load needs a fence; on arm64 (weakly ordered) the JIT emits <c>ldar</c>/<c>ldapr</c> for an acquire,
/// <c>stlr</c> for a release and <c>dmb ish</c> for a full fence. docs/HARDWARE.md ("Memory ordering") says what
/// each one is for and what arm64 hardware would need beyond it.
/// </summary>
public static class MemoryOrder
{
    /// <summary>Load-acquire: no later load or store of this thread moves before it. A consumer reads a slot's sequence
    /// word (or a CQE's phase bit) with it, then the slot's body, which the producer wrote before its release.</summary>
    /// <param name="location">The word to read.</param>
    /// <returns>Its value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint LoadAcquire(ref uint location) => Volatile.Read(ref location);

    /// <summary>Load-acquire of a 64-bit word (a ring index the other side publishes).</summary>
    /// <param name="location">The word to read; 8-byte aligned, so that the load is single-copy atomic.</param>
    /// <returns>Its value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LoadAcquire(ref ulong location) => Volatile.Read(ref location);

    /// <summary>Load-acquire of a 16-bit word (a hardware CQE's status word with its phase bit).</summary>
    /// <param name="location">The word to read.</param>
    /// <returns>Its value.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort LoadAcquire(ref ushort location) => Volatile.Read(ref location);

    /// <summary>Store-release: no earlier load or store of this thread moves after it. A producer publishes a slot
    /// (its sequence word) or an index with it, after the slot's body.</summary>
    /// <param name="location">The word to write.</param>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelease(ref uint location, uint value) => Volatile.Write(ref location, value);

    /// <summary>Store-release of a 64-bit word (a ring index).</summary>
    /// <param name="location">The word to write; 8-byte aligned.</param>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void StoreRelease(ref ulong location, ulong value) => Volatile.Write(ref location, value);

    /// <summary>Full fence, for the one order neither acquire nor release gives: a store, then a load of another word.
    /// The waiter handshake needs it: a producer publishes, then reads the sleeper's flag, while the sleeper sets its
    /// flag, then re-reads the ring (Dekker); without it each could miss the other's store and the sleeper never
    /// wakes. <c>lock or</c> on x64, <c>dmb ish</c> on arm64.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void FullFence() => Interlocked.MemoryBarrier();

    /// <summary>Doorbell fence: before the store to a device register (MMIO) that makes a device read memory this
    /// thread wrote (SQEs, SGLs, stream contexts), so that the device never reads an entry older than the doorbell.
    /// UADK issues <c>wmb()</c>, <c>dsb st</c> on arm64; .NET has no DSB, and this is the strongest barrier it can
    /// express: a full <c>dmb ish</c> (a compiler barrier and <c>lock or</c> on x64, where stores are not reordered).
    /// The doorbell store itself is a volatile (release) store to the mapped register page.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DoorbellFence() => Interlocked.MemoryBarrier();
}
