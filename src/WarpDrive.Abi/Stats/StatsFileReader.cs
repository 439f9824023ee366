using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Stats;

/// <summary>Reads stats files (<c>wd top</c>'s side). It reads the file with <c>read</c>, never maps it: the writer
/// maps it shared, so the page cache holds its live counters, and a file that shrinks under a reader cannot fault it.
/// Every field is checked: a file is another process's output.</summary>
public static class StatsFileReader
{
    /// <summary>Reads and checks the stats file at <paramref name="path"/>.</summary>
    /// <param name="path">The stats file.</param>
    /// <param name="snapshot">Its content when it is a usable stats file.</param>
    /// <param name="error">Why it is not a usable stats file (null when it is).</param>
    /// <returns>true when the file is a usable stats file; false when it is not (yet).</returns>
    /// <exception cref="IOException">The file cannot be read (gone, I/O error).</exception>
    /// <exception cref="UnauthorizedAccessException">Reading it is not permitted.</exception>
    public static bool TryRead(string path, [NotNullWhen(true)] out StatsSnapshot? snapshot, [NotNullWhen(false)] out string? error)
    {
        error = Read(path, out snapshot);
        return error is null;
    }

    /// <summary>Checks and decodes the content of a stats file.</summary>
    /// <param name="data">The file's bytes.</param>
    /// <param name="snapshot">The content when it is usable.</param>
    /// <param name="error">Why it is not a usable stats file (not yet complete, another layout, out of range); null when
    /// it is.</param>
    /// <returns>true when <paramref name="data"/> is a usable stats file.</returns>
    public static bool TryParse(ReadOnlySpan<byte> data, [NotNullWhen(true)] out StatsSnapshot? snapshot, [NotNullWhen(false)] out string? error)
    {
        error = Parse(data, out snapshot);
        return error is null;
    }

    /// <summary>The work of <see cref="TryRead"/>: null on success, else why not.</summary>
    private static string? Read(string path, out StatsSnapshot? snapshot)
    {
        ArgumentNullException.ThrowIfNull(path);
        byte[] data;
        using (var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1))
        {
            long length = file.Length;
            int max = StatsLayout.FileSize(StatsLayout.MaxDevices, StatsLayout.MaxQueues);
            if (length > max)
            {
                snapshot = null;
                return $"{length} bytes: larger than any stats file";
            }

            data = new byte[length];
            file.ReadExactly(data);
        }

        return Parse(data, out snapshot);
    }

    /// <summary>The work of <see cref="TryParse"/>: null on success, else why not.</summary>
    private static string? Parse(ReadOnlySpan<byte> data, out StatsSnapshot? snapshot)
    {
        snapshot = null;
        if (data.Length < StatsLayout.HeaderSize)
        {
            return "shorter than the header";
        }

        StatsHeader header = MemoryMarshal.Read<StatsHeader>(data);
        if (header.Magic != StatsLayout.Magic)
        {
            return "bad magic: not a stats file, or not published yet";
        }

        if (header.Version != StatsLayout.Version || header.HeaderSize != StatsLayout.HeaderSize
            || header.DeviceRecordSize != StatsLayout.DeviceRecordSize || header.QueueRecordSize != StatsLayout.QueueRecordSize)
        {
            return $"layout version {header.Version} is not {StatsLayout.Version}";
        }

        if (header.DeviceCapacity > StatsLayout.MaxDevices || header.QueueCapacity > StatsLayout.MaxQueues
            || header.DeviceCount > header.DeviceCapacity || header.QueueCount > header.QueueCapacity)
        {
            return "record counts out of range";
        }

        int deviceCapacity = (int)header.DeviceCapacity;
        if (data.Length < StatsLayout.FileSize(deviceCapacity, (int)header.QueueCapacity))
        {
            return "shorter than its records";
        }

        var devices = new List<DeviceSnapshot>((int)header.DeviceCount);
        for (int d = 0; d < (int)header.DeviceCount; d++)
        {
            DeviceStatsRecord device = MemoryMarshal.Read<DeviceStatsRecord>(data[StatsLayout.DeviceOffset(d)..]);
            if ((ulong)device.FirstQueue + device.QueueCount > header.QueueCount)
            {
                return $"device record {d}: queues out of range";
            }

            var queues = new QueueSnapshot[device.QueueCount];
            for (int i = 0; i < queues.Length; i++)
            {
                QueueStatsRecord q = MemoryMarshal.Read<QueueStatsRecord>(data[StatsLayout.QueueOffset(deviceCapacity, (int)device.FirstQueue + i)..]);
                queues[i] = new QueueSnapshot
                {
                    Id = (int)q.QueueId,
                    State = (QueueStatsState)q.State,
                    OwnerPid = q.OwnerPid,
                    OwnerUid = q.OwnerUid,
                    Weight = q.Weight,
                    MaxSharePercent = q.MaxSharePercent,
                    BusyNanos = q.BusyNanos,
                    Submitted = q.Submitted,
                    Completed = q.Completed,
                    Errors = q.Errors,
                    BytesIn = q.BytesIn,
                    BytesOut = q.BytesOut,
                    Waiting = q.Waiting,
                };
            }

            devices.Add(ToSnapshot(ref device, queues));
        }

        snapshot = new StatsSnapshot
        {
            Pid = header.Pid,
            StartTime = header.StartTime,
            Publisher = (StatsPublisher)header.Publisher,
            Devices = devices,
        };
        return null;
    }

    private static unsafe DeviceSnapshot ToSnapshot(ref DeviceStatsRecord device, QueueSnapshot[] queues)
    {
        fixed (byte* name = device.Name)
        fixed (byte* algorithms = device.Algorithms)
        fixed (byte* engine = device.Engine)
        {
            return new DeviceSnapshot
            {
                Name = StatsText.Read(new ReadOnlySpan<byte>(name, StatsLayout.NameSize)),
                Algorithms = StatsText.Read(new ReadOnlySpan<byte>(algorithms, StatsLayout.AlgorithmsSize)),
                Engine = StatsText.Read(new ReadOnlySpan<byte>(engine, StatsLayout.EngineSize)),
                Workers = (int)device.Workers,
                QueueDepth = (int)device.QueueDepth,
                Flags = (DeviceFlags)device.Flags,
                IsIsolated = device.Isolated != 0,
                FaultCount = device.FaultCount,
                RequestFailures = device.RequestFailures,
                Queues = queues,
            };
        }
    }
}
