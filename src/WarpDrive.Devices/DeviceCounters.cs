using System.Runtime.InteropServices;
using WarpDrive.Abi.Stats;

namespace WarpDrive.Devices;

/// <summary>Where a device host keeps its counters: its <see cref="DeviceStatsRecord"/> and one
/// <see cref="QueueStatsRecord"/> per queue, in a <see cref="StatsFile"/> (published) or in private memory.</summary>
internal readonly unsafe struct DeviceCounters
{
    private readonly StatsFile? _file;

    internal DeviceCounters(DeviceStatsRecord* device, QueueStatsRecord* queues, StatsFile? file)
    {
        Device = device;
        Queues = queues;
        _file = file;
    }

    /// <summary>The stats file the records are in; null for private memory.</summary>
    public StatsFile? File => _file;

    /// <summary>The device's record.</summary>
    public DeviceStatsRecord* Device { get; }

    /// <summary>The first queue record; queue <c>i</c> is <c>Queues + i</c>.</summary>
    public QueueStatsRecord* Queues { get; }

    /// <summary>Records in private memory (zeroed, 128-byte aligned), for a host that does not publish.</summary>
    public static DeviceCounters AllocatePrivate(int queueCount)
    {
        nuint size = (nuint)(StatsLayout.DeviceRecordSize + (queueCount * StatsLayout.QueueRecordSize));
        byte* memory = (byte*)NativeMemory.AlignedAlloc(size, StatsLayout.QueueRecordSize);
        NativeMemory.Clear(memory, size);
        return new DeviceCounters((DeviceStatsRecord*)memory, (QueueStatsRecord*)(memory + StatsLayout.DeviceRecordSize), null);
    }

    /// <summary>Writes what does not change while the device runs.</summary>
    public void Describe(DeviceHost host, int engineCount, uint deviceIndex, uint firstQueue)
    {
        DeviceStatsRecord* d = Device;
        StatsText.Write(new Span<byte>(d->Name, StatsLayout.NameSize), host.Name);
        StatsText.Write(new Span<byte>(d->Algorithms, StatsLayout.AlgorithmsSize), string.Join(' ', host.Model.Algorithms));
        string engine = host.Model.ExtraAttributes.FirstOrDefault(a => a.Key == "engine").Value ?? "";
        StatsText.Write(new Span<byte>(d->Engine, StatsLayout.EngineSize), engine);
        d->FirstQueue = firstQueue;
        d->QueueCount = (uint)host.Options.QueueCount;
        d->Workers = (uint)engineCount;
        d->QueueDepth = (uint)host.Options.QueueDepth;
        d->Flags = (uint)host.Flags;
        for (int i = 0; i < host.Options.QueueCount; i++)
        {
            Queues[i].DeviceIndex = deviceIndex;
            Queues[i].QueueId = (uint)i;
        }
    }

    /// <summary>The host is disposed and its engines have stopped: lets the file go, or frees private memory.</summary>
    public void Release()
    {
        if (_file is not null)
        {
            _file.Detach();
        }
        else
        {
            NativeMemory.AlignedFree(Device);
        }
    }
}
