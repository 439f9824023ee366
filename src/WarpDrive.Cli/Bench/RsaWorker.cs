using System.Security.Cryptography;
using WarpDrive.Crypto;

namespace WarpDrive.Cli.Bench;

/// <summary>RSA-2048 PKCS#1 v1.5 signatures of a SHA-256 hash on an <see cref="RsaSession"/> (private key with CRT).</summary>
internal sealed class RsaWorker : SessionWorker<int>
{
    private readonly RsaKey _key;
    private readonly RsaSession _session;

    public RsaWorker(BenchInput input, WdRuntime runtime, WdRuntime? shareWith, int depth)
        : base(input, shareWith, depth)
    {
        _key = RsaKey.FromParameters(input.Rsa!.ExportParameters(includePrivateParameters: true));
        _session = new RsaSession(_key, runtime);
    }

    public override void RunSync() =>
        LastOutputBytes = Check(_session.SignHash(Source.Span, Outputs[0].Span, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));

    protected override ValueTask<int> StartRequest(Memory<byte> output) =>
        _session.SignHashAsync(Source, output, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    protected override int Check(int result)
    {
        if (result != 256)
        {
            Fail($"an RSA-2048 signature of {result} bytes");
        }

        return result;
    }

    protected override void DisposeSession()
    {
        _session.Dispose();
        _key.Dispose();
    }
}
