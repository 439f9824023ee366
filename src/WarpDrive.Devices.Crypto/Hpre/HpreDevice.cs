using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using WarpDrive.Abi;
using WarpDrive.Devices.Crypto;

namespace WarpDrive.Devices.Hpre;

/// <summary>The HPRE device model (hisi_hpre's role): RSA, finite-field DH, ECDSA/ECDH on the NIST curves, X25519,
/// Ed25519 and SM2. Runs on the runtime's System.Security.Cryptography (OpenSSL) where it has the algorithm,
/// BouncyCastle otherwise. Imported RSA and NIST EC keys are cached per queue (<see cref="KeyCache"/>).</summary>
public sealed class HpreDevice : DeviceModel
{
    private static readonly string[] s_algorithms = ["rsa", "dh", "ecdsa", "ecdh", "x25519", "ed25519", "sm2"];

    /// <summary>Creates an HPRE device named <paramref name="name"/>.</summary>
    public HpreDevice(string name = "hpre-0") => Name = name;

    /// <inheritdoc/>
    public override string Name { get; }

    /// <inheritdoc/>
    public override DeviceFlags Flags => DeviceFlags.Sva | DeviceFlags.Share;

    /// <inheritdoc/>
    public override IReadOnlyList<string> Algorithms => s_algorithms;

    /// <inheritdoc/>
    public override IEnumerable<KeyValuePair<string, string>> ExtraAttributes => Crypto.CryptoLibraries.Attributes;

    /// <inheritdoc/>
    public override string? EngineDescription => Crypto.CryptoLibraries.Description;

    // Key generation searches for primes: tens to hundreds of milliseconds at 4096 bits.
    internal override bool IsLong(in Sqe sqe) => sqe.Opcode == Opcode.RsaKeyGen;

    internal override bool HasLongRequests => true;

    internal override object? CreateEngineState(DeviceHost host) => new HpreEngineState(host.Options.MaxRequestBytes);

    internal override void DisposeEngineState(object? engineState) => (engineState as HpreEngineState)?.Dispose();

    internal override void OnQueueReleased(HardwareQueue queue)
    {
        (queue.ModelState as HpreQueueState)?.Dispose();
        queue.ModelState = null;
    }

    internal override void Execute(in Sqe sqe, HardwareQueue queue, object? engineState, ref Cqe cqe)
    {
        var state = (HpreEngineState)engineState!;
        RequestMemory memory = state.Memory;
        memory.Reset();
        cqe.Produced = 0;
        // Fields no HPRE request uses: flags (no stream mode), the stream id, Arg outside key generation.
        if (sqe.Flags != 0 || sqe.StreamId != 0 || (sqe.Arg != 0 && sqe.Opcode != Opcode.RsaKeyGen)
            || (sqe.Algorithm != 0 && sqe.Opcode is >= Opcode.RsaSign and <= Opcode.DhCompute))
        {
            cqe.Status = CompletionStatus.BadRequest;
            return;
        }

        CompletionStatus status = CryptoRequest.ReadParams(memory, queue, in sqe, out CryptoParams parameters);
        if (status == CompletionStatus.Ok && (parameters.Iv != 0 || parameters.IvLen != 0 || parameters.TagLen != 0))
        {
            status = CompletionStatus.BadRequest;
        }

        if (status != CompletionStatus.Ok)
        {
            cqe.Status = status;
            return;
        }

        var request = new HpreRequest(in sqe, in parameters, queue, state);
        int produced = 0;
        try
        {
            status = sqe.Opcode switch
            {
                Opcode.RsaSign => HpreRsa.Sign(request, out produced),
                Opcode.RsaVerify => HpreRsa.Verify(request),
                Opcode.RsaEncrypt => HpreRsa.Encrypt(request, out produced),
                Opcode.RsaDecrypt => HpreRsa.Decrypt(request, out produced),
                Opcode.RsaKeyGen => HpreRsa.GenerateKey(request, out produced),
                Opcode.DhCompute => HpreDh.Compute(request, out produced),
                Opcode.EccSign => HpreEcc.Sign(request, out produced),
                Opcode.EccVerify => HpreEcc.Verify(request),
                Opcode.EccKeyGen => HpreEcc.GenerateKey(request, out produced),
                Opcode.EccAgree => HpreEcc.Agree(request, out produced),
                Opcode.EccEncrypt => HpreEcc.Encrypt(request, out produced),
                Opcode.EccDecrypt => HpreEcc.Decrypt(request, out produced),
                _ => CompletionStatus.BadRequest,
            };
        }
        catch (Exception e) when (e is CryptographicException or CryptoException or ArgumentException or ArithmeticException or FormatException)
        {
            // Every input was checked before the library saw it; a library that still refuses the client's material
            // (a key it will not use: BouncyCastle throws ArgumentException for a modulus it finds weak) is the
            // request's fault, not the device's, and must not count against isolate_strategy, nor against the
            // queue's error threshold (the key may be a hostile peer's).
            status = CompletionStatus.KeyRejected;
            produced = 0;
        }
        finally
        {
            memory.ScrubSecrets(); // a private key staged from a broker client does not outlive its request
            CryptographicOperations.ZeroMemory(state.Key.AsSpan(0, (int)Math.Min(parameters.KeyLen, (uint)HpreEngineState.MaxFieldLength)));
            CryptographicOperations.ZeroMemory(state.Source.AsSpan(0, (int)Math.Min(sqe.SrcLen, (uint)HpreEngineState.MaxFieldLength)));
        }

        if (status == CompletionStatus.Ok && !memory.CommitOutput((ulong)produced))
        {
            status = CompletionStatus.AddressFault;
        }

        memory.ScrubOutput(Math.Min(sqe.DstLen, (uint)HpreEngineState.MaxFieldLength)); // small, often secret (keys, shared secrets, plaintext), possibly half-written

        cqe.Status = status;
        cqe.Produced = status == CompletionStatus.Ok ? (uint)produced : 0;
    }
}
