using WarpDrive.Abi;

namespace WarpDrive.Devices.Zip;

/// <summary>Per-engine-thread scratch of the ZIP device: block-mode streams (reset per request) and
/// the translated data list, the request's memory.</summary>
internal sealed class ZipEngineState(long maxRequestBytes) : IEngineState, IDisposable
{
    public ZipStream Block { get; } = new();

    public RequestMemory Memory { get; } = new(maxRequestBytes);

    public (nint Pointer, int Length)[] Segments { get; } = new (nint, int)[DataListEntry.MaxEntries];

    public void Dispose()
    {
        Block.Dispose();
        Memory.Dispose();
    }
}
