namespace WarpDrive.Scheduling;

/// <summary>How one algorithm library uses its devices (UADK's wd_ctx_params for wd_&lt;alg&gt;_init2): its contexts
/// split by mode and operation, the scheduling policy, who polls asynchronous requests, and the size below which a
/// request runs inline in the caller's thread (Mix mode).</summary>
/// <remarks>Give it to <see cref="WdRuntime.Initialize"/> (one call, like wd_comp_init2) or through
/// <see cref="WdRuntimeOptions.Libraries"/>; <see cref="FromEnvironment"/> reads UADK's variables.</remarks>
public sealed class LibraryOptions
{
    /// <summary>Contexts by mode, operation and NUMA node; null: <see cref="WdRuntimeOptions.MaxContextsPerAlgorithm"/>
    /// synchronous and as many asynchronous contexts, shared by every operation, opened when first used.</summary>
    public IReadOnlyList<ContextSpec>? Contexts { get; init; }

    /// <summary>How a request's context is picked.</summary>
    public SchedulingPolicy Policy { get; init; } = SchedulingPolicy.RoundRobin;

    /// <summary>Whether library threads complete asynchronous requests (<c>ASYNC_POLL_EN=1</c>); when false the
    /// application calls the sessions' <c>Poll</c>. Null: <see cref="WdRuntimeOptions.BackgroundPolling"/>.</summary>
    public bool? AsyncPolling { get; init; }

    /// <summary>Polling threads shared by the library's asynchronous contexts (<c>ASYNC_POLL_NUM</c>), 1 to 64.</summary>
    public int PollThreads { get; init; } = 1;

    /// <summary>Mix mode: requests whose input is shorter than this many bytes run inline in the caller's thread (the
    /// device model's code, no queue hop); longer ones are offloaded. 0 offloads everything; <see cref="int.MaxValue"/>
    /// runs everything inline. Null (the default): the library's measured threshold (docs/PERFORMANCE.md, "Mix mode
    /// thresholds"), or 0 when <see cref="WdRuntimeOptions.MixMode"/> is off.</summary>
    public int? InlineThreshold { get; init; }

    /// <summary>Checks the values; <paramref name="name"/> names the library in the message.</summary>
    /// <exception cref="WdConfigurationException">A value is out of range.</exception>
    internal void Validate(string name)
    {
        if (Contexts is { Count: 0 })
        {
            throw new WdConfigurationException(name, $"{name}: at least one context group is needed");
        }

        if (PollThreads is < 1 or > 64)
        {
            throw new WdConfigurationException(name, $"{name}: PollThreads must be from 1 to 64 (got {PollThreads})");
        }

        if (InlineThreshold < 0)
        {
            throw new WdConfigurationException(name, $"{name}: InlineThreshold must not be negative (got {InlineThreshold})");
        }
    }

    /// <summary>Reads <c>WD_&lt;ALG&gt;_CTX_NUM</c>, <c>_ASYNC_POLL_EN</c>, <c>_ASYNC_POLL_NUM</c>, <c>_SCHED_POLICY</c>
    /// (<c>rr</c>, <c>least-loaded</c>, <c>single</c>, <c>per-device</c>) and <c>_INLINE_THRESHOLD</c> (bytes) for
    /// <paramref name="library"/>; null when none of them is set.</summary>
    /// <param name="library">The library.</param>
    /// <param name="variables">Where to read them (default: the process environment).</param>
    /// <exception cref="WdConfigurationException">A variable is set to something that does not parse; the message
    /// names it.</exception>
    public static LibraryOptions? FromEnvironment(AlgorithmLibrary library, Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        string prefix = $"WD_{AlgorithmLibraries.EnvironmentName(library)}_";
        string? Read(string suffix) => variables(prefix + suffix) is { } v && v.Trim().Length > 0 ? v : null;

        string? contexts = Read("CTX_NUM"), pollEnable = Read("ASYNC_POLL_EN"), pollNumber = Read("ASYNC_POLL_NUM"),
            policy = Read("SCHED_POLICY"), threshold = Read("INLINE_THRESHOLD");
        if (contexts is null && pollEnable is null && pollNumber is null && policy is null && threshold is null)
        {
            return null;
        }

        return new LibraryOptions
        {
            Contexts = contexts is null ? null : ContextEnvironment.ParseContextNumber(prefix + "CTX_NUM", contexts, AlgorithmLibraries.Operations(library)),
            AsyncPolling = pollEnable is null ? null : ContextEnvironment.ParsePollEnable(prefix + "ASYNC_POLL_EN", pollEnable),
            PollThreads = pollNumber is null ? 1 : ContextEnvironment.ParsePollThreads(prefix + "ASYNC_POLL_NUM", pollNumber),
            Policy = policy is null ? SchedulingPolicy.RoundRobin : ContextEnvironment.ParsePolicy(prefix + "SCHED_POLICY", policy),
            InlineThreshold = threshold is null ? null : ContextEnvironment.ParseThreshold(prefix + "INLINE_THRESHOLD", threshold),
        };
    }
}
