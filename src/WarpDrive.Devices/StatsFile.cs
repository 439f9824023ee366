using System.Globalization;
using System.IO.MemoryMappedFiles;
using WarpDrive.Abi.Stats;
using WarpDrive.Platform;

namespace WarpDrive.Devices;

/// <summary>Publishes the live counters of one process's devices in a file under the run directory,
/// <c>&lt;run&gt;/stats/&lt;pid&gt;-&lt;n&gt;.stats</c> (layout: <see cref="StatsLayout"/>, docs/STATS.md), so that
/// <c>wd top</c> in another process reads them without asking (as uadk_tool dfx reads debugfs). The file is mapped
/// shared, and the engines' counters ARE that mapping: a <see cref="DeviceHost"/> given the file keeps its device
/// and queue records in it, and the engines increment them in place.</summary>
/// <remarks>The file is mode 0644: any local user may read the counters (request counts, sizes, owner pids; never
/// data). <c>WD_STATS=0</c> turns publishing off (docs/SECURITY.md). Dispose removes the file; the mapping itself
/// is released once every host that keeps its counters in it has been disposed too, so an engine never writes to
/// memory that is gone. A file never disposed (the default runtime's) is removed when the process exits normally
/// (<see cref="AppDomain.ProcessExit"/>); one left by a process that was killed is removed by the next
/// <see cref="Create"/> under the same run directory (or by <c>wd top</c>).</remarks>
public sealed unsafe class StatsFile : IDisposable
{
    /// <summary>Environment variable that turns publishing off when it is <c>0</c> (<c>WD_STATS</c>).</summary>
    public const string EnvironmentVariable = "WD_STATS";

    private static int s_sequence;
    private static readonly Lock s_liveLock = new();
    private static readonly HashSet<StatsFile> s_live = []; // created and not yet disposed: removed at process exit
    private static bool s_exitHooked;

    private readonly Lock _lock = new();
    private readonly FileStream _file;
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private readonly int _deviceCapacity;
    private readonly int _queueCapacity;
    private int _devices;
    private int _queues;
    private int _attached;
    private bool _disposed;

    private StatsFile(string path, FileStream file, MemoryMappedFile map, MemoryMappedViewAccessor view, byte* address, int deviceCapacity, int queueCapacity)
    {
        Path = path;
        _file = file;
        _map = map;
        _view = view;
        _base = address;
        _deviceCapacity = deviceCapacity;
        _queueCapacity = queueCapacity;
    }

    /// <summary>The file's path.</summary>
    public string Path { get; }

    /// <summary>Whether the environment turns publishing off (<c>WD_STATS=0</c>).</summary>
    public static bool IsDisabledByEnvironment => Environment.GetEnvironmentVariable(EnvironmentVariable) == "0";

    /// <summary>Creates (or replaces) this process's next stats file under <paramref name="runDirectory"/>, with room
    /// for <paramref name="deviceCapacity"/> devices and <paramref name="queueCapacity"/> queues, and maps it; first
    /// removes the files there whose publishers are gone (<see cref="RemoveStale"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A capacity is out of range.</exception>
    /// <exception cref="IOException">The directory or file cannot be made.</exception>
    /// <exception cref="UnauthorizedAccessException">Not permitted.</exception>
    public static StatsFile Create(string runDirectory, StatsPublisher publisher, int deviceCapacity, int queueCapacity)
    {
        int size = StatsLayout.FileSize(deviceCapacity, queueCapacity);
        const UnixFileMode directoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                           | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        const UnixFileMode fileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        string directory = RunDirectory.StatsDirectory(runDirectory);
        Directory.CreateDirectory(directory, directoryMode);
        RemoveStale(directory);
        int pid = Environment.ProcessId;
        string path = System.IO.Path.Combine(directory,
            string.Create(CultureInfo.InvariantCulture, $"{pid}-{Interlocked.Increment(ref s_sequence)}{StatsLayout.Extension}"));
        var file = new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.Create,
            Access = FileAccess.ReadWrite,
            Share = FileShare.ReadWrite | FileShare.Delete,
            UnixCreateMode = fileMode,
        });
        MemoryMappedFile? map = null;
        MemoryMappedViewAccessor? view = null;
        try
        {
            File.SetUnixFileMode(file.SafeFileHandle, fileMode); // whatever the umask: readers are other users
            file.SetLength(size);
            map = MemoryMappedFile.CreateFromFile(file, null, size, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: true);
            view = map.CreateViewAccessor(0, size, MemoryMappedFileAccess.ReadWrite);
            byte* address = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref address);
            address += view.PointerOffset;
            var header = (StatsHeader*)address;
            header->Version = StatsLayout.Version;
            header->HeaderSize = StatsLayout.HeaderSize;
            header->DeviceRecordSize = StatsLayout.DeviceRecordSize;
            header->QueueRecordSize = StatsLayout.QueueRecordSize;
            header->Pid = pid;
            header->StartTime = ulong.TryParse(ProcessControl.ReadStartTime(pid), NumberStyles.None, CultureInfo.InvariantCulture, out ulong start) ? start : 0;
            header->Publisher = (uint)publisher;
            header->DeviceCapacity = (uint)deviceCapacity;
            header->QueueCapacity = (uint)queueCapacity;
            // The magic goes last: a reader that sees it sees a complete header.
            Volatile.Write(ref header->Magic, StatsLayout.Magic);
            var stats = new StatsFile(path, file, map, view, address, deviceCapacity, queueCapacity);
            RemoveAtExit(stats);
            return stats;
        }
        catch
        {
            view?.Dispose();
            map?.Dispose();
            file.Dispose();
            TryDelete(path);
            throw;
        }
    }

    /// <summary>Removes the stats files under <paramref name="statsDirectory"/> (<c>&lt;run&gt;/stats</c>) whose
    /// publishers are gone (<see cref="IsPublisherGone"/>): processes killed before they could remove their own. Files
    /// it may not remove (another user's, in a directory it may not write) and files it cannot read are left.</summary>
    /// <returns>How many it removed.</returns>
    public static int RemoveStale(string statsDirectory)
    {
        int removed = 0;
        try
        {
            foreach (string path in Directory.EnumerateFiles(statsDirectory, "*" + StatsLayout.Extension))
            {
                if (!TryParsePid(System.IO.Path.GetFileName(path), out int pid))
                {
                    continue;
                }

                // The pid alone first (no read); a live pid is checked against the start time the file records.
                if (IsPublisherGone(pid, 0) || (ReadStartTime(path, pid) is { } start && IsPublisherGone(pid, start)))
                {
                    removed += TryDelete(path) ? 1 : 0;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A diagnostic's housekeeping: what cannot be listed stays for wd top.
        }

        return removed;
    }

    /// <summary>Whether the publisher of a stats file has exited: no process has <paramref name="pid"/>, or the pid now
    /// names a later process (its start time, field 22 of <c>/proc/PID/stat</c>, differs from
    /// <paramref name="startTime"/>; 0 compares the pid only). False when <c>/proc</c> does not say (hidepid).</summary>
    public static bool IsPublisherGone(int pid, ulong startTime)
    {
        string? current;
        try
        {
            current = ProcessControl.ReadStartTime(pid);
        }
        catch (UnauthorizedAccessException)
        {
            return false; // hidden from us: keep it
        }

        return current is null
               || (startTime != 0 && (!ulong.TryParse(current, NumberStyles.None, CultureInfo.InvariantCulture, out ulong now) || now != startTime));
    }

    /// <summary>The publisher's pid from a stats file's name, <c>&lt;pid&gt;-&lt;n&gt;.stats</c>.</summary>
    public static bool TryParsePid(string fileName, out int pid)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        int dash = fileName.IndexOf('-', StringComparison.Ordinal);
        pid = 0;
        return dash > 0
               && int.TryParse(fileName.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out pid)
               && pid > 0;
    }

    /// <summary>The start time a complete stats file of <paramref name="pid"/> records; null when it records none, is
    /// not (yet) complete, names another pid or cannot be read.</summary>
    private static ulong? ReadStartTime(string path, int pid)
    {
        try
        {
            return StatsFileReader.TryRead(path, out StatsSnapshot? stats, out _) && stats.Pid == pid && stats.StartTime != 0
                ? stats.StartTime
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Counts <paramref name="stats"/> among the files this process removes when it exits normally (the
    /// mapping is left alone: engines may still run while the process ends).</summary>
    private static void RemoveAtExit(StatsFile stats)
    {
        lock (s_liveLock)
        {
            if (!s_exitHooked)
            {
                AppDomain.CurrentDomain.ProcessExit += static (_, _) => RemoveLiveFiles();
                s_exitHooked = true;
            }

            s_live.Add(stats);
        }
    }

    private static void RemoveLiveFiles()
    {
        StatsFile[] live;
        lock (s_liveLock)
        {
            live = [.. s_live];
            s_live.Clear();
        }

        foreach (StatsFile stats in live)
        {
            TryDelete(stats.Path);
        }
    }

    /// <summary>Takes the records of one device (the host's counters for its life) and writes what does not change:
    /// name, algorithms, engines, geometry. The header's counts cover the records only once they are complete.</summary>
    /// <returns>false when the file is full or disposed: the host then counts in private memory.</returns>
    internal bool TryAttach(DeviceHost host, int engineCount, out DeviceCounters counters)
    {
        lock (_lock)
        {
            int queueCount = host.Options.QueueCount;
            if (_disposed || _devices == _deviceCapacity || _queueCapacity - _queues < queueCount)
            {
                counters = default;
                return false;
            }

            var device = (DeviceStatsRecord*)(_base + StatsLayout.DeviceOffset(_devices));
            var queues = (QueueStatsRecord*)(_base + StatsLayout.QueueOffset(_deviceCapacity, _queues));
            counters = new DeviceCounters(device, queues, this);
            counters.Describe(host, engineCount, (uint)_devices, (uint)_queues);
            _devices++;
            _queues += queueCount;
            _attached++;
            var header = (StatsHeader*)_base;
            Volatile.Write(ref header->QueueCount, (uint)_queues);
            Volatile.Write(ref header->DeviceCount, (uint)_devices);
            return true;
        }
    }

    /// <summary>A host that attached is disposed (its engines have stopped): the last one out after
    /// <see cref="Dispose"/> unmaps.</summary>
    internal void Detach()
    {
        lock (_lock)
        {
            if (--_attached == 0 && _disposed)
            {
                Unmap();
            }
        }
    }

    /// <summary>Removes the file; unmaps it now if no host keeps its counters in it, else when the last one is disposed.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            TryDelete(Path);
            lock (s_liveLock)
            {
                s_live.Remove(this);
            }

            if (_attached == 0)
            {
                Unmap();
            }
        }
    }

    private void Unmap()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
        _file.Dispose();
    }

    private static bool TryDelete(string path)
    {
        try
        {
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // left behind: the next writer or wd top removes a file whose publisher is gone
        }
    }
}
