
namespace WarpDrive.Tests.Crypto;

/// <summary>An in-process runtime (with the HPRE model) per test class.</summary>
public sealed class HpreRuntime : IDisposable
{
    public WdRuntime Runtime { get; } = new(new WdRuntimeOptions
    {
        Mode = WdDeviceMode.Local,
        BackgroundPolling = true,
        EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 16, WorkerCount = 1, QueueDepth = 64 },
    });

    public void Dispose() => Runtime.Dispose();
}
