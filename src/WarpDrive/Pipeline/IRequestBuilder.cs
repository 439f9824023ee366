using WarpDrive.Abi;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Pipeline;

/// <summary>An algorithm library's part of one request (UADK's driver message fill): it shares the request's memory
/// through the slot (pinning it first for an asynchronous request; a synchronous caller holds it <c>fixed</c>), lays
/// out its parameters in the slot's scratch, and returns the SQE. Every other step of the request's life, and the
/// rollback of each, is <see cref="RequestPipeline"/>'s.</summary>
internal interface IRequestBuilder
{
    /// <summary>Builds the request in <paramref name="slot"/> (prepared already) for a context of
    /// <paramref name="pool"/>'s device; the SQE's <c>UserData</c> is <see cref="RequestSlot.Tag"/>. It may throw
    /// after pinning or sharing: the pipeline gives back whatever the slot holds.</summary>
    Sqe Build(RequestSlot slot, DevicePool pool);
}
