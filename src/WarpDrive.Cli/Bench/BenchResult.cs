namespace WarpDrive.Cli.Bench;

/// <summary>What one <c>wd bench</c> run measured (the JSON fields are these names in snake_case).</summary>
internal sealed record BenchResult
{
    public required string Mode { get; init; }
    public required string Alg { get; init; }
    public required string Op { get; init; }
    public required string Submit { get; init; }
    public int Threads { get; init; }
    public int Ctxnum { get; init; }
    public int Depth { get; init; }
    public int Pktlen { get; init; }
    public double Seconds { get; init; }
    public long Requests { get; init; }

    /// <summary>Input bytes of all requests (the packet, or the compressed block for decompression).</summary>
    public long InputBytes { get; init; }

    /// <summary>Output bytes of all requests.</summary>
    public long OutputBytes { get; init; }
    public double MbPerS { get; init; }
    public double OpsPerS { get; init; }
    public double P50Us { get; init; }
    public double P99Us { get; init; }
    public double P999Us { get; init; }

    /// <summary>CPU time of the whole process (every thread: submitters, pollers, in-process engines) over wall time,
    /// in percent of one core.</summary>
    public double CpuPercent { get; init; }

    /// <summary>CPU time of the submitting threads alone (CLOCK_THREAD_CPUTIME_ID) per request, microseconds.</summary>
    public double SubmitCpuUsPerRequest { get; init; }

    /// <summary>Completions that only a sleep's timeout found during the run (<c>warpdrive.late_reaps</c>): lost
    /// wake-ups, 0 unless something is wrong.</summary>
    public long LateReaps { get; init; }

    /// <summary>Requests (warm-up included) that ran inline in the submitting threads (Mix mode).</summary>
    public long InlineRequests { get; init; }

    /// <summary>Requests (warm-up included) that went through a device's queues.</summary>
    public long QueuedRequests { get; init; }

    /// <summary>Which path served the requests: <c>inline</c>, <c>queue</c>, both with their shares, or the mode's own
    /// (direct call, socket server, raw queue).</summary>
    public string Path => (InlineRequests, QueuedRequests) switch
    {
        (0, 0) => Mode is "direct" or "socket" ? Mode : "queue",
        (_, 0) => "inline",
        (0, _) => "queue",
        var (i, q) => $"inline {100.0 * i / (i + q):F0}% / queue {100.0 * q / (i + q):F0}%",
    };
}
