using WarpDrive.Queues;

namespace WarpDrive.Pipeline;

/// <summary>The session a request belongs to, as the pipeline sees it: it counted the request in before handing it
/// over and counts it out exactly once, through <see cref="IRequestObserver.OnCompleted"/> when the device completed
/// it (or its queue stopped), or through <see cref="OnAbandoned"/> when it never got that far.</summary>
internal interface IRequestOwner : IRequestObserver
{
    /// <summary>A request ended without a completion: it failed before it was submitted, its submission failed, or a
    /// synchronous wait for it failed (its queue stopped being served).</summary>
    void OnAbandoned();
}
