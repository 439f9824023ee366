using WarpDrive.Queues;

namespace WarpDrive.Scheduling;

/// <summary>The contexts of one mode (sync or async) and operation on one device: what a context spec
/// (<c>sync-comp:2@0</c>) turned into. Picks a context for a request by the library's policy.</summary>
internal sealed class ContextGroup(ContextSpec spec, WdContext[] contexts, bool borrowed)
{
    private int _next;

    public ContextSpec Spec { get; } = spec;

    public WdContext[] Contexts { get; } = contexts;

    /// <summary>Whether the contexts belong to another group (no free queue was left for this one's own).</summary>
    public bool Borrowed { get; } = borrowed;

    /// <summary>A context for the next request. <paramref name="sessionIndex"/> places a session for the single and
    /// per-device policies.</summary>
    public WdContext Pick(SchedulingPolicy policy, int sessionIndex)
    {
        WdContext[] contexts = Contexts;
        if (contexts.Length == 1)
        {
            return contexts[0];
        }

        switch (policy)
        {
            case SchedulingPolicy.Single:
                return contexts[(int)((uint)sessionIndex % (uint)contexts.Length)];
            case SchedulingPolicy.LeastLoaded:
                // Ties go round-robin, so that an idle set still spreads its requests over every queue and engine.
                int start = (int)((uint)Interlocked.Increment(ref _next) % (uint)contexts.Length);
                WdContext best = contexts[start];
                int least = best.InFlight;
                for (int i = 1; i < contexts.Length && least > 0; i++)
                {
                    WdContext candidate = contexts[(start + i) % contexts.Length];
                    int load = candidate.InFlight;
                    if (load < least)
                    {
                        best = candidate;
                        least = load;
                    }
                }

                return best;
            default:
                return contexts[(int)((uint)Interlocked.Increment(ref _next) % (uint)contexts.Length)];
        }
    }
}
