using System.Text;
using Microsoft.Win32.SafeHandles;
using WarpDrive.Abi;

namespace WarpDrive.Discovery;

/// <summary>Reads a uacce class directory: <c>/sys/class/uacce</c> (the kernel's) or <c>&lt;run&gt;/class/uacce</c>
/// (the broker's). Each subdirectory, or symlink to one, is a device; each regular file in it named like an attribute
/// (a <see cref="DeviceAttributeNames"/> name or any <c>[a-z_]+</c>) is one attribute.</summary>
/// <remarks>Devices and files come and go while the reader runs (a broker exits, a device is removed): a file that
/// vanishes or cannot be read is skipped, a device whose directory vanished is left out, and a missing class directory
/// has no devices. Nothing here throws for that.</remarks>
internal static class UacceAttributeReader
{
    /// <summary>Larger files are not attributes (sysfs values fit in a page).</summary>
    private const int MaxAttributeBytes = 64 * 1024;

    private static readonly HashSet<string> s_knownNames =
    [
        DeviceAttributeNames.Api, DeviceAttributeNames.Flags, DeviceAttributeNames.Algorithms,
        DeviceAttributeNames.AvailableInstances, DeviceAttributeNames.Isolate, DeviceAttributeNames.IsolateStrategy,
        DeviceAttributeNames.NumaNode, DeviceAttributeNames.RegionMmioSize, DeviceAttributeNames.RegionDusSize,
    ];

    private static readonly EnumerationOptions s_options = new()
    {
        IgnoreInaccessible = true,
        RecurseSubdirectories = false,
        AttributesToSkip = FileAttributes.Hidden, // dot files: never devices nor attributes
    };

    /// <summary>Every device under <paramref name="classDirectory"/> with its attributes (values without trailing
    /// whitespace), sorted by device name.</summary>
    public static IReadOnlyList<(string Name, IReadOnlyDictionary<string, string> Attributes)> ReadAll(string classDirectory)
    {
        var devices = new List<(string Name, IReadOnlyDictionary<string, string> Attributes)>();
        foreach (FileSystemInfo entry in List(classDirectory))
        {
            if (entry is DirectoryInfo && ReadDevice(entry.FullName) is { } attributes)
            {
                devices.Add((entry.Name, attributes));
            }
        }

        devices.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return devices;
    }

    /// <summary>The attributes of one device directory; null when it vanished.</summary>
    private static Dictionary<string, string>? ReadDevice(string directory)
    {
        FileSystemInfo[] entries = List(directory);
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (FileSystemInfo entry in entries)
        {
            // Regular files only: a symlink (sysfs's device, subsystem) is not an attribute. A FIFO, socket or device
            // node would block or misbehave on open; their size is 0, and so is the size of an empty file, which holds
            // no value anyway. (sysfs files report 4096.)
            if (entry is not FileInfo file || (file.Attributes & FileAttributes.ReparsePoint) != 0 || !IsAttributeName(file.Name))
            {
                continue;
            }

            try
            {
                if (file.Length == 0)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            if (ReadValue(file.FullName) is { } value)
            {
                attributes[file.Name] = value;
            }
        }

        return Directory.Exists(directory) ? attributes : null;
    }

    /// <summary>One attribute file's value without trailing whitespace; null when it vanished or cannot be read.</summary>
    internal static string? ReadValue(string path)
    {
        try
        {
            using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            byte[] buffer = new byte[4096];
            int length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (buffer.Length >= MaxAttributeBytes)
                    {
                        return null;
                    }

                    Array.Resize(ref buffer, buffer.Length * 2);
                }

                int read = RandomAccess.Read(handle, buffer.AsSpan(length), length);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            return Encoding.UTF8.GetString(buffer, 0, length).TrimEnd();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return null; // vanished (FileNotFoundException is an IOException), EACCES, EIO from a sysfs show()
        }
    }

    /// <summary>The entries of a directory, or none when it is missing, unreadable or vanishes while listed.</summary>
    private static FileSystemInfo[] List(string directory)
    {
        try
        {
            return [.. new DirectoryInfo(directory).EnumerateFileSystemInfos("*", s_options)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    private static bool IsAttributeName(string name)
    {
        if (s_knownNames.Contains(name))
        {
            return true;
        }

        foreach (char c in name)
        {
            if (c is not ((>= 'a' and <= 'z') or '_'))
            {
                return false;
            }
        }

        return name.Length > 0;
    }
}
