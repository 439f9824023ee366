namespace WarpDrive.Cli.Bench;

/// <summary>The direct mode: <see cref="DirectOperation"/> on the submitting thread (always synchronous).</summary>
internal sealed class DirectWorker : BenchWorker
{
    private readonly DirectOperation _operation;
    private readonly byte[] _input;
    private readonly byte[] _output;

    public DirectWorker(BenchInput input)
    {
        _operation = new DirectOperation(input);
        _input = input.RequestInput;
        _output = GC.AllocateUninitializedArray<byte>(input.OutputCapacity, pinned: true);
    }

    public override int InputBytes => _input.Length;

    public override bool SupportsAsync => false;

    public override void RunSync() => LastOutputBytes = _operation.Run(_input, _output);

    public override void Dispose()
    {
        _operation.Dispose();
        base.Dispose();
    }
}
