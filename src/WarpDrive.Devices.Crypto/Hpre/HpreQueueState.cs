namespace WarpDrive.Devices.Hpre;

/// <summary>What the HPRE device keeps per queue: its cache of imported keys. Freed when the queue is released.</summary>
internal sealed class HpreQueueState : IDisposable
{
    public KeyCache Keys { get; } = new();

    public void Dispose() => Keys.Dispose();
}
