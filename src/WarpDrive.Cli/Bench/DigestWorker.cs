using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Cli.Bench;

/// <summary>SHA-256 of the packet on a <see cref="DigestSession"/>.</summary>
internal sealed class DigestWorker : SessionWorker<int>
{
    private readonly DigestSession _session;

    public DigestWorker(BenchInput input, WdRuntime runtime, WdRuntime? shareWith, int depth)
        : base(input, shareWith, depth) => _session = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);

    public override void RunSync() => LastOutputBytes = Check(_session.ComputeHash(Source.Span, Outputs[0].Span));

    protected override ValueTask<int> StartRequest(Memory<byte> output) => _session.ComputeHashAsync(Source, output);

    protected override int Check(int result)
    {
        if (result != 32)
        {
            Fail($"a hash of {result} bytes");
        }

        return result;
    }

    protected override void DisposeSession() => _session.Dispose();
}
