using WarpDrive.Devices.Engines;
using WarpDrive.TestSupport.HisiQm;

namespace WarpDrive.TestSupport.HisiZip;

/// <summary>How a <see cref="HisiZipModel"/> is made: the queues (<see cref="HisiQmModelOptions"/>) and the deflate
/// engine behind them.</summary>
public sealed class HisiZipModelOptions : HisiQmModelOptions
{
    /// <summary>The engine that compresses; null: <see cref="DeflateEngine.Best"/>. Decompression always runs zlib's
    /// inflate, which stops exactly at the end of the deflate data, so the model can read the trailer that follows
    /// (ISA-L's stateful raw inflate reads up to 8 bytes past the end into its bit buffer and keeps them).</summary>
    public DeflateEngine? Engine { get; init; }
}
