using WarpDrive.Abi;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Pipeline;

/// <summary>An algorithm library's part of a batch of block requests published with one doorbell: request
/// <c>index</c> is built in its own slot, and a synchronous batch hands each completion back.</summary>
internal interface IBatchBuilder
{
    /// <summary>How many requests the batch holds.</summary>
    int Count { get; }

    /// <summary>As <see cref="IRequestBuilder.Build"/>, for request <paramref name="index"/>.</summary>
    Sqe Build(int index, RequestSlot slot, DevicePool pool);

    /// <summary>The callback state of request <paramref name="index"/> (asynchronous batches).</summary>
    object? StateOf(int index);

    /// <summary>Request <paramref name="index"/> of a synchronous batch completed.</summary>
    void Complete(int index, in Cqe cqe);
}
