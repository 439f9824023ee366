using System.Text;

namespace WarpDrive.Broker;

/// <summary>The broker's attribute tree, laid out like sysfs's <c>/sys/class/uacce</c>: one directory per device
/// (<c>&lt;class&gt;/&lt;device&gt;/</c>, mode 0755) holding one file per attribute, whose content is the value and a
/// newline. Read-only attributes are mode 0444, writable ones (<c>isolate_strategy</c>) 0644, so the operator (the
/// broker's user) can <c>echo 5 &gt; isolate_strategy</c> and the broker picks it up with <see cref="ReadWritable"/>.
/// </summary>
/// <remarks>Every write is atomic (a temporary file renamed over the attribute), so a reader sees the old value or
/// the new one, never part of either; a value that did not change is not rewritten. Attribute names are
/// <c>[a-z_]+</c> (the names libwd's reader accepts). Safe to use from several threads.</remarks>
public sealed class AttributeTree
{
    private const UnixFileMode ReadOnlyMode = UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
    private const UnixFileMode WritableMode = ReadOnlyMode | UnixFileMode.UserWrite;
    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;

    /// <summary>Bytes <see cref="ReadWritable"/> reads at most, a sysfs page.</summary>
    private const int MaxValueBytes = 4096;

    private static readonly string s_temporarySuffix = ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, Published> _devices = new(StringComparer.Ordinal);

    /// <summary>A tree rooted at <paramref name="classDirectory"/>, usually <c>RunDirectory.ClassDirectory(run)</c>;
    /// the directory is created (0755) by the first <see cref="Publish"/>.</summary>
    public AttributeTree(string classDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(classDirectory);
        ClassDirectory = Path.GetFullPath(classDirectory);
    }

    /// <summary>The root of the tree.</summary>
    public string ClassDirectory { get; }

    /// <summary>Writes every attribute of <paramref name="device"/> and removes the files of attributes it no longer
    /// has (and temporary files a crashed broker left). <paramref name="writable"/> names the attributes an operator
    /// may write; each must be one of <paramref name="attributes"/>.</summary>
    /// <exception cref="ArgumentException">A bad device or attribute name, a null value, or a writable name that is
    /// not an attribute.</exception>
    /// <exception cref="IOException">The files cannot be written.</exception>
    public void Publish(string device, IReadOnlyDictionary<string, string> attributes, IReadOnlySet<string> writable)
    {
        CheckDevice(device);
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentNullException.ThrowIfNull(writable);
        foreach ((string name, string value) in attributes)
        {
            CheckAttribute(name);
            ArgumentNullException.ThrowIfNull(value, $"{nameof(attributes)}[{name}]");
        }

        foreach (string name in writable)
        {
            if (!attributes.ContainsKey(name))
            {
                throw new ArgumentException($"writable attribute '{name}' is not among the attributes of '{device}'", nameof(writable));
            }
        }

        lock (_lock)
        {
            string directory = EnsureDeviceDirectory(device);
            foreach ((string name, string value) in attributes)
            {
                Write(directory, name, value, writable.Contains(name) ? WritableMode : ReadOnlyMode);
            }

            foreach (string path in Directory.EnumerateFileSystemEntries(directory, "*", new EnumerationOptions { AttributesToSkip = 0 }))
            {
                if (!attributes.ContainsKey(Path.GetFileName(path)) && !Directory.Exists(path))
                {
                    File.Delete(path);
                }
            }

            _devices[device] = new Published(new HashSet<string>(attributes.Keys, StringComparer.Ordinal), new HashSet<string>(writable, StringComparer.Ordinal));
        }
    }

    /// <summary>Sets one attribute of a published device (e.g. <c>available_instances</c> when a queue opens); does
    /// nothing when the file already holds <paramref name="value"/>.</summary>
    /// <exception cref="InvalidOperationException"><paramref name="device"/> was not published (or was removed).</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not one of the device's published attributes.</exception>
    public void Update(string device, string name, string value)
    {
        CheckDevice(device);
        CheckAttribute(name);
        ArgumentNullException.ThrowIfNull(value);
        lock (_lock)
        {
            if (!_devices.TryGetValue(device, out Published? published))
            {
                throw new InvalidOperationException($"device '{device}' is not published");
            }

            if (!published.Names.Contains(name))
            {
                throw new ArgumentException($"'{name}' is not an attribute of '{device}'", nameof(name));
            }

            UnixFileMode mode = published.Writable.Contains(name) ? WritableMode : ReadOnlyMode;
            string directory = Path.Combine(ClassDirectory, device);
            try
            {
                Write(directory, name, value, mode);
            }
            catch (DirectoryNotFoundException)
            {
                // Someone removed the directory under us: put it back, with this attribute at least.
                Write(EnsureDeviceDirectory(device), name, value, mode);
            }
        }
    }

    /// <summary>The content of an attribute file, trimmed; null when the file is missing. The broker polls its
    /// writable attributes with it.</summary>
    public string? ReadWritable(string device, string name)
    {
        CheckDevice(device);
        CheckAttribute(name);
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(Path.Combine(ClassDirectory, device, name));
            byte[] buffer = new byte[MaxValueBytes];
            int length = 0;
            int read;
            while (length < buffer.Length && (read = RandomAccess.Read(handle, buffer.AsSpan(length), length)) > 0)
            {
                length += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, length).Trim();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Removes the device's directory and everything in it; nothing happens when it is not there.</summary>
    public void Remove(string device)
    {
        CheckDevice(device);
        lock (_lock)
        {
            _devices.Remove(device);
            try
            {
                Directory.Delete(Path.Combine(ClassDirectory, device), recursive: true);
            }
            catch (DirectoryNotFoundException)
            {
            }
        }
    }

    private string EnsureDeviceDirectory(string device)
    {
        if (!Directory.Exists(ClassDirectory))
        {
            Directory.CreateDirectory(ClassDirectory, DirectoryMode);
        }

        string directory = Path.Combine(ClassDirectory, device);
        Directory.CreateDirectory(directory);
        if (File.GetUnixFileMode(directory) != DirectoryMode)
        {
            File.SetUnixFileMode(directory, DirectoryMode); // chmod: the umask does not apply
        }

        return directory;
    }

    /// <summary>Writes <c>value\n</c> to <c>name.tmp-pid</c> and renames it over <c>name</c>, unless the file already
    /// holds exactly that (then only its mode is fixed, if needed).</summary>
    private static void Write(string directory, string name, string value, UnixFileMode mode)
    {
        string path = Path.Combine(directory, name);
        byte[] content = Encoding.UTF8.GetBytes(value + "\n");
        if (Holds(path, content))
        {
            if (File.GetUnixFileMode(path) != mode)
            {
                File.SetUnixFileMode(path, mode);
            }

            return;
        }

        string temporary = path + s_temporarySuffix;
        File.Delete(temporary); // a leftover of an earlier broker with this pid would be read-only
        try
        {
            using (var stream = new FileStream(temporary, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,
                UnixCreateMode = mode,
            }))
            {
                stream.Write(content);
            }

            File.SetUnixFileMode(temporary, mode); // the umask applied at creation
            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static bool Holds(string path, byte[] content)
    {
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path);
            if (RandomAccess.GetLength(handle) != content.Length)
            {
                return false;
            }

            byte[] existing = new byte[content.Length];
            int length = 0;
            int read;
            while (length < existing.Length && (read = RandomAccess.Read(handle, existing.AsSpan(length), length)) > 0)
            {
                length += read;
            }

            return length == content.Length && existing.AsSpan().SequenceEqual(content);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void CheckDevice(string device)
    {
        ArgumentException.ThrowIfNullOrEmpty(device);
        if (device[0] == '.' || device.Contains('/', StringComparison.Ordinal) || device.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{device}' is not a device name", nameof(device));
        }
    }

    private static void CheckAttribute(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        foreach (char c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or '_'))
            {
                throw new ArgumentException($"'{name}' is not an attribute name ([a-z_]+)", nameof(name));
            }
        }
    }

    private sealed record Published(HashSet<string> Names, HashSet<string> Writable);
}
