namespace WarpDrive.Devices;

/// <summary>What the engines need of a model's per-thread state (<see cref="DeviceModel.CreateEngineState"/>): the
/// memory through which its requests reach client buffers, whose lane budget routes long requests to the bulk lane.</summary>
internal interface IEngineState
{
    /// <summary>The thread's request memory.</summary>
    RequestMemory Memory { get; }
}
