namespace WarpDrive.Drivers;

/// <summary>What a hisi_qm driver remembers of the request in an SQ slot (<see cref="HisiQmQueue.TryPeekPending"/>).</summary>
internal interface IHisiQmPending
{
    /// <summary>Whether the slot holds a request that has not completed.</summary>
    bool Active { get; }
}
