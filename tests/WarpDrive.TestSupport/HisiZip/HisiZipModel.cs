using WarpDrive.Abi.Uacce;
using WarpDrive.Devices.Engines;
using WarpDrive.TestSupport.HisiQm;

namespace WarpDrive.TestSupport.HisiZip;

/// <summary>A model of a HiSilicon ZIP engine behind the kernel's uacce ABI (<see cref="HisiQmModel"/>): it lists
/// <c>zlib</c> and <c>gzip</c>, and its queues run 128-byte ZIP SQEs, compressing on <c>qc_type</c> 0 and
/// decompressing on 1.</summary>
public sealed class HisiZipModel : HisiQmModel
{
    /// <summary>Makes a device named <paramref name="name"/> (its sysfs and /dev name).</summary>
    /// <exception cref="ArgumentException">A name that is empty or has a '/'.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A queue count outside 1-1024, or a depth that is not a power of
    /// two from 2 to 1024.</exception>
    public HisiZipModel(string name = "hisi_zip-0", HisiZipModelOptions? options = null)
        : base(name, options, HisiZipSqe.Size, ["zlib", "gzip"]) =>
        CompressEngine = options?.Engine ?? DeflateEngine.Best;

    internal DeflateEngine CompressEngine { get; }

    internal override IHisiQmEngine CreateEngine(int qcType) => new HisiZipExecutor(qcType == 1, CompressEngine);
}
