namespace WarpDrive.Queues;

/// <summary>A piece of memory the device of a queue can read, owned by one user (a session's key): its address as
/// descriptors carry it, its bytes, and a <see cref="IDisposable.Dispose"/> that zeroes them and gives them back.</summary>
internal interface IDeviceMemory : IDisposable
{
    /// <summary>Start of the memory in this process.</summary>
    nint Address { get; }

    /// <summary>Length in bytes.</summary>
    int Length { get; }

    /// <summary>The bytes.</summary>
    Span<byte> Span { get; }
}
