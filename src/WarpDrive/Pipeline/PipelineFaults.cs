namespace WarpDrive.Pipeline;

/// <summary>Fault injection for the pipeline's rollback tests: a failure armed for one owner (session) and one step
/// fires once, at that step of that owner's next request. Off unless the process sets the AppContext switch
/// <c>WarpDrive.Testing.PipelineFaults</c> before the pipeline is first used; then every check is a read of a
/// static readonly false that the JIT folds away.</summary>
internal static class PipelineFaults
{
    internal const string Switch = "WarpDrive.Testing.PipelineFaults";

    private static readonly bool s_enabled = AppContext.TryGetSwitch(Switch, out bool on) && on;
    private static Fault? s_armed; // owner and step swapped as one

    private sealed record Fault(object Owner, PipelineStep Step);

    /// <summary>Whether injection is possible in this process.</summary>
    public static bool Enabled => s_enabled;

    /// <summary>Arms one failure at <paramref name="step"/> of <paramref name="owner"/>'s next request.</summary>
    /// <exception cref="InvalidOperationException">The switch is off.</exception>
    public static void Arm(object owner, PipelineStep step)
    {
        if (!s_enabled)
        {
            throw new InvalidOperationException($"set the AppContext switch {Switch} before WarpDrive is used");
        }

        Volatile.Write(ref s_armed, new Fault(owner, step));
    }

    /// <summary>Whether an armed failure is still waiting to fire.</summary>
    public static bool Armed => Volatile.Read(ref s_armed) is not null;

    /// <summary>Throws <see cref="InjectedFaultException"/> when a failure is armed for this owner and step.</summary>
    public static void Check(object owner, PipelineStep step)
    {
        if (s_enabled && Volatile.Read(ref s_armed) is { } fault && ReferenceEquals(fault.Owner, owner) && fault.Step == step
            && Interlocked.CompareExchange(ref s_armed, null, fault) == fault)
        {
            throw new InjectedFaultException(step);
        }
    }
}

/// <summary>The failure <see cref="PipelineFaults"/> injects.</summary>
internal sealed class InjectedFaultException(PipelineStep step) : Exception($"fault injected at {step}")
{
    /// <summary>Where it was injected.</summary>
    public PipelineStep Step { get; } = step;
}
