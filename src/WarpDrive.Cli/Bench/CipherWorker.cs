using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Cli.Bench;

/// <summary>AES-CBC encryption of the packet (whole blocks, no padding) on a <see cref="CipherSession"/>.</summary>
internal sealed class CipherWorker : SessionWorker<int>
{
    private readonly CipherSession _session;
    private readonly byte[] _iv = new byte[16];

    public CipherWorker(BenchInput input, WdRuntime runtime, WdRuntime? shareWith, int depth)
        : base(input, shareWith, depth) => _session = new CipherSession(CipherAlgorithm.AesCbc, input.Key.AsSpan(0, input.Settings.Algorithm.KeyLength), runtime);

    public override void RunSync() => LastOutputBytes = Check(_session.Encrypt(_iv, Source.Span, Outputs[0].Span));

    protected override ValueTask<int> StartRequest(Memory<byte> output) => _session.EncryptAsync(_iv, Source, output);

    protected override int Check(int result)
    {
        if (result != Source.Length)
        {
            Fail($"AES-CBC wrote {result} bytes");
        }

        return result;
    }

    protected override void DisposeSession() => _session.Dispose();
}
