using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace WarpDrive.Queues;

/// <summary>Native memory a queue's device can read for as long as the buffer lives: session keys and request scratch.
/// In-process it is this process's memory, entered in the domain once. On a broker device without SVA it is a region
/// reserved from the broker; with SVA it is native memory the broker copies in, unless the caller asks for a region
/// (<c>shared</c>) and the device offers SHARE: then the engines read it in place. Zeroed before it is given back:
/// it may have held key material.</summary>
internal sealed unsafe class DeviceBuffer : IDeviceMemory
{
    private readonly WdQueue _queue;
    private readonly WdSharedMemory? _reserved;
    private readonly int _share;
    private int _disposed;

    private DeviceBuffer(WdQueue queue, nint address, int length, WdSharedMemory? reserved, int share)
    {
        _queue = queue;
        Address = address;
        Length = length;
        _reserved = reserved;
        _share = share;
    }

    /// <summary>Start of the buffer in this process (the address descriptors carry).</summary>
    public nint Address { get; }

    /// <summary>Length in bytes.</summary>
    public int Length { get; }

    /// <summary>The buffer's bytes.</summary>
    public Span<byte> Span => new((void*)Address, Length);

    /// <summary>Allocates <paramref name="length"/> zeroed bytes the device of <paramref name="queue"/> can read.</summary>
    /// <param name="queue">The queue whose device reads the buffer.</param>
    /// <param name="length">Bytes.</param>
    /// <param name="shared">Prefer a broker-made region on a broker device that offers SHARE even when it has SVA: the
    /// engines then read it in place instead of with a process_vm_readv per request. For buffers every request names
    /// (a context's scratch); not for one per session, since regions count against <c>max_regions_per_user</c>.</param>
    public static DeviceBuffer Create(WdQueue queue, int length, bool shared = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (!queue.Device.HasSva || (shared && queue.Device.HasShare && !queue.ReadsClientMemoryDirectly))
        {
            WdSharedMemory reserved = queue.ReserveMemory(length);
            return new DeviceBuffer(queue, reserved.Address, length, reserved, share: -1);
        }

        void* memory = NativeMemory.AllocZeroed((nuint)length);
        try
        {
            return new DeviceBuffer(queue, (nint)memory, length, null, queue.Share((nint)memory, length));
        }
        catch
        {
            NativeMemory.Free(memory);
            throw;
        }
    }

    /// <summary>Zeroes the bytes and gives the memory back.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        CryptographicOperations.ZeroMemory(Span);
        if (_reserved is not null)
        {
            _reserved.Dispose();
            return;
        }

        _queue.Unshare(_share);
        NativeMemory.Free((void*)Address);
    }
}
