using System.Buffers;
using System.Runtime.InteropServices;
using WarpDrive.Abi;

namespace WarpDrive;

/// <summary>Device-visible memory from <see cref="WdRuntime.ReserveMemory"/>: a region the devices can reach without
/// a copy (SHARE mode). Requests whose buffers lie in it are served in place, and a data list may point into it.
/// Dispose it once no request uses it any more.</summary>
/// <remarks>On a broker device this is a sealed memfd the broker made and both processes map; in-process it is
/// native memory entered in this process's domain; for a kernel (SVA) device, native memory. It is not managed memory: nothing moves it, nothing frees it
/// but <see cref="IDisposable.Dispose"/>.</remarks>
public sealed unsafe class WdSharedMemory : MemoryManager<byte>
{
    private readonly Action _release;
    private int _disposed;

    internal WdSharedMemory(nint address, int length, string location, Action release)
    {
        Address = address;
        Length = length;
        Location = location;
        _release = release;
    }

    /// <summary>Zeroed, page-aligned native memory of at least <paramref name="length"/> bytes (whole pages):
    /// <paramref name="onAllocated"/> makes it visible to the devices and returns what <paramref name="onRelease"/>
    /// needs to withdraw it before it is freed.</summary>
    internal static WdSharedMemory AllocatePages(int length, string location, Func<nint, long, int>? onAllocated = null,
        Action<int>? onRelease = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        nuint size = ((nuint)length + RingLayout.PageSize - 1) & ~(nuint)(RingLayout.PageSize - 1);
        void* memory = NativeMemory.AlignedAlloc(size, RingLayout.PageSize);
        NativeMemory.Clear(memory, size);
        int handle = onAllocated?.Invoke((nint)memory, (long)size) ?? 0;
        return new WdSharedMemory((nint)memory, length, location, () =>
        {
            onRelease?.Invoke(handle);
            NativeMemory.AlignedFree(memory);
        });
    }

    /// <summary>Start of the memory in this process.</summary>
    public nint Address { get; }

    /// <summary>Usable length in bytes.</summary>
    public int Length { get; }

    /// <summary>Where the devices that see it run: <c>in-process</c>, <c>broker</c> or <c>kernel</c>.</summary>
    public string Location { get; }

    /// <inheritdoc/>
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        return new Span<byte>((void*)Address, Length);
    }

    /// <inheritdoc/>
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)elementIndex, (uint)Length, nameof(elementIndex));
        return new MemoryHandle((byte*)Address + elementIndex); // native memory: nothing to pin
    }

    /// <inheritdoc/>
    public override void Unpin()
    {
    }

    /// <summary>Gives the memory back (the broker unmaps its region once no request can use it). Idempotent.</summary>
    public void Dispose() => ((IDisposable)this).Dispose();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _release();
        }
    }
}
