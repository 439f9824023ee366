using WarpDrive.TestSupport.HisiQm;

namespace WarpDrive.Tests.Uacce;

/// <summary>A hisi_qm device model published in a fake sysfs and /dev of its own (a temporary directory), and a runtime
/// that finds it there and opens its queues through the model. Disposes the runtime first, then the model, then the
/// directory.</summary>
internal abstract class KernelModel<TModel> : IDisposable
    where TModel : HisiQmModel
{
    private readonly string _root = Directory.CreateTempSubdirectory("wd-hisiqm-").FullName;

    /// <summary>Publishes <paramref name="model"/> and starts a runtime in <paramref name="mode"/> on it.</summary>
    protected KernelModel(TModel model, WdDeviceMode mode)
    {
        Model = model;
        Model.Publish(ClassDirectory, DeviceDirectory);
        Runtime = new WdRuntime(new WdRuntimeOptions
        {
            MixMode = false, // requests go to the device under test, not to Mix mode's inline one
            Mode = mode,
            Uacce = new UacceOptions { ClassDirectory = ClassDirectory, DeviceDirectory = DeviceDirectory, OpenQueueFile = Model.Open },
        });
    }

    public TModel Model { get; }

    public WdRuntime Runtime { get; }

    public string ClassDirectory => Path.Combine(_root, "sys", "class", "uacce");

    public string DeviceDirectory => Path.Combine(_root, "dev");

    public void Dispose()
    {
        Runtime.Dispose(); // before the model
        Model.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
