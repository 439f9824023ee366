using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>The SEC device model (hisi_sec2's role): block ciphers, digests and MACs, and AEAD. Runs on the runtime's
/// System.Security.Cryptography (OpenSSL) where it has the algorithm, BouncyCastle otherwise (SM3, SM4, SHA-224,
/// CMAC). Request layouts in docs/QUEUE-ABI.md, "SEC requests".</summary>
public sealed class SecDevice : DeviceModel
{
    private static readonly string[] s_algorithms = ["cipher", "digest", "aead"];

    /// <summary>Creates a SEC device named <paramref name="name"/>.</summary>
    public SecDevice(string name = "sec-0") => Name = name;

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

    internal override object? CreateEngineState(DeviceHost host) => new SecEngineState(host.Options.MaxRequestBytes);

    internal override void DisposeEngineState(object? engineState) => (engineState as SecEngineState)?.Dispose();

    internal override void OnQueueReleased(HardwareQueue queue)
    {
        (queue.ModelState as SecQueueState)?.Dispose();
        queue.ModelState = null;
    }

    internal override void OnEngineIdle(object? engineState) => (engineState as SecEngineState)?.ForgetKeys();

    internal override void Execute(in Sqe sqe, HardwareQueue queue, object? engineState, ref Cqe cqe)
    {
        var state = (SecEngineState)engineState!;
        state.Memory.Reset();
        try
        {
            cqe.Status = sqe.Opcode switch
            {
                Opcode.CipherEncrypt or Opcode.CipherDecrypt => CipherRequest.Execute(in sqe, queue, state, ref cqe),
                Opcode.Digest => DigestRequest.Execute(in sqe, queue, state, ref cqe),
                Opcode.AeadEncrypt or Opcode.AeadDecrypt => AeadRequest.Execute(in sqe, queue, state, ref cqe),
                Opcode.StreamRelease => ReleaseStream(in sqe, queue),
                _ => CompletionStatus.BadRequest,
            };
        }
        finally
        {
            state.Memory.ScrubSecrets(); // a key staged from a broker client does not outlive its request, even one that threw
        }

        if (cqe.Status != CompletionStatus.Ok)
        {
            cqe.Produced = 0;
            cqe.Consumed = 0;
        }
    }

    /// <summary>Frees a digest stream without finishing it; releasing one that does not exist is not an error.</summary>
    private static CompletionStatus ReleaseStream(in Sqe sqe, HardwareQueue queue)
    {
        if ((sqe.Flags & SqeFlags.Stream) == 0 || sqe.StreamId >= queue.MaxStreams || sqe.Arg != 0 || sqe.Params != 0)
        {
            return CompletionStatus.BadRequest;
        }

        (queue.ModelState as SecQueueState)?.Release(sqe.StreamId);
        return CompletionStatus.Ok;
    }
}
