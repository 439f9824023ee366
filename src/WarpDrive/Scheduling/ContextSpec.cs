namespace WarpDrive.Scheduling;

/// <summary>One group of contexts an algorithm library opens (UADK's <c>wd_ctx_params</c> entry): how many queues, for
/// which submission mode and operation type, on which NUMA node.</summary>
/// <param name="Async">Asynchronous (polled) contexts rather than synchronous ones.</param>
/// <param name="Operation">The operation type the contexts serve (<c>comp</c>, <c>decomp</c>), or null for every
/// operation of the algorithm (ciphers, digests, RSA...).</param>
/// <param name="Count">Contexts in the group, at least 1.</param>
/// <param name="NumaNode">The NUMA node whose devices to prefer; -1 for any.</param>
public readonly record struct ContextSpec(bool Async, string? Operation, int Count, int NumaNode);
