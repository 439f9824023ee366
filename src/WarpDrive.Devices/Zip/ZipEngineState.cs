using WarpDrive.Abi;

namespace WarpDrive.Devices.Zip;

/// <summary>Per-engine-thread scratch of the ZIP device: block-mode streams (reset per request) and
/// the translated data list.</summary>
internal sealed class ZipEngineState : IDisposable
{
    public ZipStream Block { get; } = new();

    public (nint Pointer, int Length)[] Segments { get; } = new (nint, int)[DataListEntry.MaxEntries];

    public void Dispose() => Block.Dispose();
}
