using System.Globalization;
using System.Runtime.InteropServices;

namespace WarpDrive.Platform;

/// <summary>File ownership: the group of a device socket decides, with its mode, who may open the device.</summary>
public static class FileOwnership
{
    /// <summary>Gives <paramref name="path"/> to <paramref name="group"/> (a name from /etc/group or a numeric gid).</summary>
    /// <exception cref="ArgumentException">No such group.</exception>
    /// <exception cref="IOException">chown failed (EPERM: only root or a member may give a file to a group).</exception>
    public static void SetGroup(string path, string group)
    {
        uint gid = ResolveGroup(group) ?? throw new ArgumentException($"no group '{group}' in /etc/group");
        if (Interop.Libc.Chown(path, uint.MaxValue, gid) != 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"chown {path} to group {group} failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
    }

    /// <summary>The gid of <paramref name="group"/>, or null when /etc/group has no such name.</summary>
    public static uint? ResolveGroup(string group)
    {
        if (uint.TryParse(group, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid))
        {
            return gid;
        }

        if (!File.Exists("/etc/group"))
        {
            return null;
        }

        foreach (string line in File.ReadLines("/etc/group"))
        {
            // name:password:gid:members
            string[] fields = line.Split(':');
            if (fields.Length >= 3 && fields[0] == group
                && uint.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out gid))
            {
                return gid;
            }
        }

        return null;
    }
}
