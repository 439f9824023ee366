using WarpDrive.Abi.Uacce;
using WarpDrive.TestSupport.HisiQm;

namespace WarpDrive.TestSupport.HisiHpre;

/// <summary>A model of a HiSilicon HPRE engine (hisi_hpre) behind the kernel's uacce ABI (<see cref="HisiQmModel"/>):
/// with <c>ecc</c> a Kunpeng 930's (<c>hisi_qm_v3</c>; it lists rsa, dh, ecdh, ecdsa, sm2, x25519 and x448 as the
/// kernel's <c>hpre_dev_algs</c> do), without a Kunpeng 920's (<c>hisi_qm_v2</c>: rsa and dh). Its queues run 64-byte
/// HPRE SQEs (<see cref="HisiHpreSqe"/>): RSA (plain and CRT keys), DH (also with the generator 2), ECDH point
/// multiplication, X25519 and ECDSA, with the engine's refusals (<see cref="HisiHpreExecutor"/>).</summary>
public sealed class HisiHpreModel : HisiQmModel
{
    private readonly Dictionary<HisiHpreAlgorithm, int> _tasks = [];

    /// <summary>Makes a device named <paramref name="name"/> (its sysfs and /dev name).</summary>
    /// <exception cref="ArgumentException">A name that is empty or has a '/'.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A queue count outside 1-1024, or a depth that is not a power of
    /// two from 2 to 1024.</exception>
    public HisiHpreModel(string name = "hisi_hpre-0", HisiQmModelOptions? options = null, bool ecc = true)
        : base(name, options, HisiHpreSqe.Size, ecc ? ["rsa", "dh", "ecdh", "ecdsa", "sm2", "x25519", "x448"] : ["rsa", "dh"])
    {
        HasEcc = ecc;
    }

    /// <summary>Whether the engine has ECC (Kunpeng 930's HPRE).</summary>
    public bool HasEcc { get; }

    /// <inheritdoc/>
    public override string Api => HasEcc ? HisiQmApi.V3 : HisiQmApi.V2;

    /// <summary>When set, the engine writes this error type into every SQE it completes (a failing engine).</summary>
    public ushort ForcedErrorType { get; set; }

    /// <summary>When set, the engine leaves the done field at its submitted value (a malformed completion).</summary>
    public bool LeavesTaskUndone { get; set; }

    /// <summary>When set, the engine writes this tag back instead of the SQE's (a completion that names another request).</summary>
    public ulong? ForcedTag { get; set; }

    /// <summary>Tasks the engine ran, by <see cref="HisiHpreAlgorithm"/> (whatever their outcome).</summary>
    public IReadOnlyDictionary<HisiHpreAlgorithm, int> TasksRun
    {
        get
        {
            lock (_tasks)
            {
                return new Dictionary<HisiHpreAlgorithm, int>(_tasks);
            }
        }
    }

    internal void Count(HisiHpreAlgorithm algorithm)
    {
        lock (_tasks)
        {
            _tasks[algorithm] = _tasks.GetValueOrDefault(algorithm) + 1;
        }
    }

    internal override IHisiQmEngine CreateEngine(int qcType) => new HisiHpreExecutor(this, qcType);
}
