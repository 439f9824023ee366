using WarpDrive.Devices.Engines;

namespace WarpDrive.Tests;

/// <summary>The engines present on this machine, for theories that must hold on each.</summary>
public static class Engines
{
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string> { "zlib" };
        if (DeflateEngine.Isal is not null)
        {
            data.Add("isal");
        }

        return data;
    }

    public static WdRuntime Runtime(string engine, bool backgroundPolling = true, int queues = 4) => new(new WdRuntimeOptions
    {
        MixMode = false, // requests go to the device under test, not to Mix mode's inline one
        EmbeddedZipEngine = engine,
        BackgroundPolling = backgroundPolling,
        EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = queues, WorkerCount = 1, QueueDepth = 64 },
    });
}
