using System.Globalization;
using Microsoft.Extensions.Logging;
using WarpDrive.Abi;
using WarpDrive.Devices;

namespace WarpDrive.Broker;

/// <summary>Publishes each device's attributes in the run directory's tree (<c>class/uacce/&lt;dev&gt;</c>) and picks
/// up an operator's write to the writable <c>isolate_strategy</c>. Anything that changes an attribute marks the tree
/// dirty (workers too); the loop republishes at once then, and on every tick anyway.</summary>
internal sealed class AttributePublisher(AttributeTree tree, ILogger logger)
{
    private readonly HashSet<string> _writable = new(StringComparer.Ordinal) { DeviceAttributeNames.IsolateStrategy };
    private int _dirty;

    /// <summary>Says an attribute changed (thread-safe).</summary>
    public void MarkDirty() => Volatile.Write(ref _dirty, 1);

    /// <summary>Whether an attribute changed since the last call.</summary>
    public bool TakeDirty() => Interlocked.Exchange(ref _dirty, 0) != 0;

    public void Remove(BrokerDevice device) => tree.Remove(device.Name);

    public void Publish(BrokerDevice device)
    {
        DeviceHost host = device.Host;
        string? strategy = tree.ReadWritable(device.Name, DeviceAttributeNames.IsolateStrategy);
        if (strategy is "")
        {
            // `echo 5 > isolate_strategy` truncates before it writes: this may be the middle of an operator's write.
            // Publishing now would put the old value back over it. Wait a tick (publishing nothing meanwhile, but
            // staying dirty); an empty file after that is the operator's, refused like any other bad value.
            long now = Environment.TickCount64;
            device.EmptyStrategySince = device.EmptyStrategySince == 0 ? now : device.EmptyStrategySince;
            if (now - device.EmptyStrategySince < BrokerServer.TickMilliseconds)
            {
                MarkDirty();
                return;
            }
        }

        device.EmptyStrategySince = 0;
        if (strategy is not null && strategy != host.IsolateStrategy.ToString(CultureInfo.InvariantCulture))
        {
            if (int.TryParse(strategy, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value <= 1_000_000)
            {
                logger.IsolateStrategyChanged(device.Name, host.IsolateStrategy, value);
                host.IsolateStrategy = value;
            }
            else
            {
                logger.IsolateStrategyRejected(device.Name, strategy);
            }
        }

        tree.Publish(device.Name, host.GetAttributes(), _writable);
    }
}
