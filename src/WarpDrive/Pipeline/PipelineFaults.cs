using System.Collections.Concurrent;

namespace WarpDrive.Pipeline;

/// <summary>Fault injection for the pipeline's rollback tests: a failure armed for one owner (session) and one step
/// fires once, at that step of that owner's next request. Off unless the process sets the AppContext switch
/// <c>WarpDrive.Testing.PipelineFaults</c> before the pipeline is first used; then every check is a read of a
/// static readonly false that the JIT folds away.</summary>
internal static class PipelineFaults
{
    internal const string Switch = "WarpDrive.Testing.PipelineFaults";

    private static readonly bool s_enabled = AppContext.TryGetSwitch(Switch, out bool on) && on;

    // Per owner, so that tests running in parallel arm their own sessions.
    private static readonly ConcurrentDictionary<object, PipelineStep> s_armed = new(ReferenceEqualityComparer.Instance);

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

        s_armed[owner] = step;
    }

    /// <summary>Whether a failure armed for <paramref name="owner"/> is still waiting to fire.</summary>
    public static bool IsArmed(object owner) => s_armed.ContainsKey(owner);

    /// <summary>Throws <see cref="InjectedFaultException"/> when a failure is armed for this owner and step.</summary>
    public static void Check(object owner, PipelineStep step)
    {
        if (s_enabled && !s_armed.IsEmpty && s_armed.TryRemove(KeyValuePair.Create(owner, step)))
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
