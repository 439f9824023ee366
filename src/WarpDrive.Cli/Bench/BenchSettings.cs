namespace WarpDrive.Cli.Bench;

/// <summary>One <c>wd bench</c> run's parameters (what the options parsed to).</summary>
internal sealed record BenchSettings
{
    public required BenchAlgorithm Algorithm { get; init; }
    public bool Decompress { get; init; }
    public BenchMode Mode { get; init; }
    public bool Async { get; init; }

    /// <summary>Asynchronous compression completes through callbacks (<c>TrySubmit</c>) rather than ValueTasks.</summary>
    public bool Callbacks { get; init; }
    public int Threads { get; init; } = 1;
    public int Contexts { get; init; } = 1;
    public int Depth { get; init; } = 32;
    public int PacketLength { get; init; } = 64 * 1024;
    public double Seconds { get; init; } = 3;
    public int? Workers { get; init; }
    public int Level { get; init; } = 1;

    /// <summary>Where the packet comes from (<c>--input-file</c>): its first <see cref="PacketLength"/> bytes; null for
    /// the generated text (compression) or random bytes (crypto).</summary>
    public string? InputFile { get; init; }

    /// <summary>How long after a run's end (and its warm-up's) requests still in flight are waited for before the run is
    /// reported as stalled (<c>--grace</c>).</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Requests in flight per thread: the depth when asynchronous, 1 when synchronous.</summary>
    public int InFlight => Async ? Depth : 1;

    /// <summary>The operation's name in the output: compress/decompress, sign, hash, encrypt.</summary>
    public string Operation => Algorithm.Kind switch
    {
        BenchAlgorithmKind.Nop => "nop",
        BenchAlgorithmKind.Compression => Decompress ? "decompress" : "compress",
        BenchAlgorithmKind.Sha256 => "hash",
        BenchAlgorithmKind.RsaSign => "sign",
        _ => "encrypt",
    };
}
