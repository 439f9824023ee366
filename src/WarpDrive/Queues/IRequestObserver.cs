using WarpDrive.Abi;

namespace WarpDrive.Queues;

/// <summary>A session that tracks state across requests (a stream) and must see each completion before the caller
/// does.</summary>
internal interface IRequestObserver
{
    /// <summary>Called by the reaper with the request's completion, before the result is published.</summary>
    void OnCompleted(in Cqe cqe, bool last);
}
