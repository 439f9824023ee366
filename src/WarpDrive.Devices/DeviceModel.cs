using WarpDrive.Abi;

namespace WarpDrive.Devices;

/// <summary>What a device is (ZIP, SEC, HPRE): its identity and how it executes one validated SQE.
/// The <see cref="DeviceHost"/> supplies queues, workers and the generic checks.</summary>
public abstract class DeviceModel : IDisposable
{
    /// <summary>Device name, e.g. <c>zip-0</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Capability flags.</summary>
    public abstract DeviceFlags Flags { get; }

    /// <summary>Algorithms the device implements.</summary>
    public abstract IReadOnlyList<string> Algorithms { get; }

    /// <summary>Attributes beyond uacce's, e.g. the engine in use.</summary>
    public virtual IEnumerable<KeyValuePair<string, string>> ExtraAttributes => [];

    /// <summary>The engine this model runs on in words, with versions where known, for logs such as wdd's start-up
    /// line (<see cref="DeviceCatalog.DescribeEngine"/>); null: its <c>engine</c> attribute says it.</summary>
    public virtual string? EngineDescription => null;

    /// <summary>Executes one SQE that passed the host's generic checks (opcode is not Nop, the generic reserved fields are
    /// zero, flags are known); the model checks the opcode-specific fields (<c>Arg</c>, <c>Params</c>). Every address must still be checked through <paramref name="queue"/>'s domain.</summary>
    internal abstract void Execute(in Sqe sqe, HardwareQueue queue, object? engineState, ref Cqe cqe);

    /// <summary>Whether <paramref name="sqe"/> takes long whatever memory it names (RSA key generation): an engine hands
    /// it to the bulk lane without running it. Requests that name much memory go there on their own
    /// (<see cref="DeviceHostOptions.BulkThresholdBytes"/>).</summary>
    internal virtual bool IsLong(in Sqe sqe) => false;

    /// <summary>Whether <see cref="IsLong"/> can ever be true (read once per engine: the request path of the other
    /// models makes no virtual call for it).</summary>
    internal virtual bool HasLongRequests => false;

    /// <summary>Per-engine-thread scratch state (codec caches, data-list buffers).</summary>
    internal virtual object? CreateEngineState(DeviceHost host) => null;

    /// <summary>Frees what the queue held (stream contexts). Called with the queue quiesced.</summary>
    internal virtual void OnQueueReleased(HardwareQueue queue)
    {
    }

    /// <summary>Called on the worker when it runs out of work and is about to sleep: a model drops what it
    /// cached for the requests it served (keys), so that nothing of a client outlives a busy period of the engine.</summary>
    internal virtual void OnEngineIdle(object? engineState)
    {
    }

    /// <summary>Frees engine scratch state.</summary>
    internal virtual void DisposeEngineState(object? engineState)
    {
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the model's resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
