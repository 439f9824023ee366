using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.Kubernetes;

/// <summary>The allocations the plugin made, in the broker's allocation directory (<c>&lt;run&gt;/alloc</c>, mode
/// 0700): per allocation the file the broker reads, <c>&lt;token&gt;</c> (<see cref="AllocationFile"/>: the queue
/// limit per device), and beside it <c>&lt;token&gt;.units</c>, the unit IDs the kubelet allocated, one a line. The
/// kubelet never says that a pod is gone; an allocation ends when the kubelet allocates one of its units again (to a
/// new container): the old files are removed, and the broker then starts no further queue for the old token. Files
/// outlive the plugin and wdd, so running pods keep their queues across restarts of either.</summary>
public sealed class AllocationStore
{
    private const string UnitsExtension = ".units";
    private const string EmptyDirectoryName = ".empty";
    private readonly Lock _lock = new();
    private readonly string _directory;
    private readonly List<Entry> _entries = [];

    /// <summary>Opens the allocation directory of <paramref name="runDirectory"/> (creating it) and reads the
    /// allocations already there.</summary>
    public AllocationStore(string runDirectory)
    {
        _directory = RunDirectory.AllocationDirectory(runDirectory);
        Directory.CreateDirectory(_directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        EmptyDirectory = Path.Combine(_directory, EmptyDirectoryName);
        Directory.CreateDirectory(EmptyDirectory, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
                                                  | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        foreach (string units in Directory.EnumerateFiles(_directory, "*" + UnitsExtension))
        {
            string name = Path.GetFileNameWithoutExtension(units);
            string limitsPath = Path.Combine(_directory, name);
            if (AllocationToken.TryParse(name, out AllocationToken token) && File.Exists(limitsPath)
                && AllocationFile.TryParse(File.ReadAllText(limitsPath), out IReadOnlyDictionary<string, int>? limits, out _))
            {
                _entries.Add(new Entry(token, File.ReadAllLines(units).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal), limits));
            }
        }
    }

    /// <summary>An empty directory (<c>&lt;run&gt;/alloc/.empty</c>, mode 0555) that Allocate mounts over the
    /// allocation directory in a container, which is given the run directory whole.</summary>
    public string EmptyDirectory { get; }

    /// <summary>One allocation: its token, the units it was made for, its queue limit per device.</summary>
    /// <param name="Token">The token the container presents (<c>WD_ALLOCATION</c>).</param>
    /// <param name="Units">The unit IDs.</param>
    /// <param name="Limits">Queues per device its clients may hold together.</param>
    public sealed record Entry(AllocationToken Token, IReadOnlySet<string> Units, IReadOnlyDictionary<string, int> Limits);

    /// <summary>The live allocations.</summary>
    public IReadOnlyList<Entry> Entries
    {
        get
        {
            lock (_lock)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>Makes an allocation of <paramref name="units"/> with <paramref name="limits"/>, ending every allocation
    /// that holds one of those units (the kubelet gave them to a new container, so their old one is gone).</summary>
    public Entry Create(IReadOnlyCollection<string> units, IReadOnlyDictionary<string, int> limits)
    {
        var entry = new Entry(AllocationToken.NewRandom(), new HashSet<string>(units, StringComparer.Ordinal), limits);
        lock (_lock)
        {
            foreach (Entry old in _entries.Where(e => e.Units.Overlaps(units)).ToArray())
            {
                string name = old.Token.ToString();
                File.Delete(Path.Combine(_directory, name)); // the broker's file first: the token is void from here on
                File.Delete(Path.Combine(_directory, name + UnitsExtension));
                _entries.Remove(old);
            }

            string token = entry.Token.ToString();
            Write(token + UnitsExtension, string.Join('\n', units) + "\n");
            Write(token, AllocationFile.Format(limits)); // last: the token is valid once this file exists
            _entries.Add(entry);
        }

        return entry;
    }

    /// <summary>The units of every live allocation.</summary>
    public IReadOnlySet<string> AllocatedUnits()
    {
        lock (_lock)
        {
            return new HashSet<string>(_entries.SelectMany(e => e.Units), StringComparer.Ordinal);
        }
    }

    /// <summary>The queues of <paramref name="device"/> the live allocations may hold together.</summary>
    public int AllocatedQueues(string device)
    {
        lock (_lock)
        {
            return _entries.Sum(e => e.Limits.GetValueOrDefault(device));
        }
    }

    /// <summary>Writes <paramref name="name"/> whole (a temporary file renamed over it), mode 0600.</summary>
    private void Write(string name, string text)
    {
        string path = Path.Combine(_directory, name);
        string temporary = Path.Combine(_directory, $".{name}.tmp");
        File.WriteAllText(temporary, text);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.Move(temporary, path, overwrite: true);
    }
}
