using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Cli.Bench;

/// <summary>AES-GCM encryption of the packet (ciphertext || 16-byte tag) on an <see cref="AeadSession"/>. One nonce
/// for every request: this measures speed, it protects nothing.</summary>
internal sealed class AeadWorker : SessionWorker<int>
{
    private readonly AeadSession _session;
    private readonly byte[] _nonce = new byte[12];

    public AeadWorker(BenchInput input, WdRuntime runtime, WdRuntime? shareWith, int depth)
        : base(input, shareWith, depth) => _session = new AeadSession(AeadAlgorithm.AesGcm, input.Key.AsSpan(0, input.Settings.Algorithm.KeyLength), 16, runtime);

    public override void RunSync() => LastOutputBytes = Check(_session.Encrypt(_nonce, Source.Span, Outputs[0].Span));

    protected override ValueTask<int> StartRequest(Memory<byte> output) => _session.EncryptAsync(_nonce, Source, output);

    protected override int Check(int result)
    {
        if (result != Source.Length + 16)
        {
            Fail($"AES-GCM wrote {result} bytes");
        }

        return result;
    }

    protected override void DisposeSession() => _session.Dispose();
}
