using WarpDrive.Abi.Uacce;
using WarpDrive.TestSupport.HisiQm;

namespace WarpDrive.TestSupport.HisiSec;

/// <summary>A model of a HiSilicon SEC engine (hisi_sec2, Kunpeng 920) behind the kernel's uacce ABI
/// (<see cref="HisiQmModel"/>): it lists <c>cipher</c>, <c>digest</c> and <c>aead</c> as the kernel's driver does, and
/// its queues run 128-byte type-2 BDs (<see cref="HisiSecSqe"/>): the ciphers and hashes a type-2 BD names, with the
/// engine's refusals (<see cref="HisiSecExecutor"/>).</summary>
public sealed class HisiSecModel : HisiQmModel
{
    /// <summary>Makes a device named <paramref name="name"/> (its sysfs and /dev name).</summary>
    /// <exception cref="ArgumentException">A name that is empty or has a '/'.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A queue count outside 1-1024, or a depth that is not a power of
    /// two from 2 to 1024.</exception>
    public HisiSecModel(string name = "hisi_sec2-0", HisiQmModelOptions? options = null)
        : base(name, options, HisiSecSqe.Size, ["cipher", "digest", "aead"])
    {
    }

    /// <summary>When set, the engine writes this error type into every BD it completes (a failing engine).</summary>
    public byte ForcedErrorType { get; set; }

    /// <summary>When set, the engine leaves the done flag clear in every BD it completes (a malformed completion).</summary>
    public bool ClearsDoneFlag { get; set; }

    /// <summary>When set, the engine writes this tag back instead of the BD's (a completion that names another request).</summary>
    public ushort? ForcedTag { get; set; }

    internal override IHisiQmEngine CreateEngine(int qcType) => new HisiSecExecutor(this);
}
