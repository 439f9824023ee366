using System.Globalization;

namespace WarpDrive.Cli;

/// <summary>Who owns a queue, for <c>wd top</c>: the stats file has the owner's pid and uid; the user name comes from
/// /etc/passwd and the command from /proc/&lt;pid&gt;/comm, each <c>?</c> where it cannot be read (no such entry, a
/// /proc mounted with hidepid, or the pid now names a process of another user).</summary>
internal static class QueueOwner
{
    /// <summary>What <c>wd top</c> shows for a field it cannot read.</summary>
    public const string Unknown = "?";

    private static readonly Dictionary<uint, string> s_users = [];

    /// <summary>The name /etc/passwd gives <paramref name="uid"/>, or <see cref="Unknown"/>.</summary>
    public static string UserName(uint uid)
    {
        lock (s_users)
        {
            if (s_users.TryGetValue(uid, out string? cached))
            {
                return cached;
            }

            string name = Unknown;
            try
            {
                string id = uid.ToString(CultureInfo.InvariantCulture);
                foreach (string line in File.ReadLines("/etc/passwd"))
                {
                    string[] fields = line.Split(':');
                    if (fields.Length > 2 && fields[2] == id)
                    {
                        name = fields[0];
                        break;
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }

            s_users[uid] = name;
            return name;
        }
    }

    /// <summary>The command name of process <paramref name="pid"/> (/proc/&lt;pid&gt;/comm) when it runs as
    /// <paramref name="uid"/>; <see cref="Unknown"/> otherwise.</summary>
    public static string Command(int pid, uint uid)
    {
        if (pid <= 0)
        {
            return Unknown;
        }

        try
        {
            string dir = $"/proc/{pid.ToString(CultureInfo.InvariantCulture)}";
            // The real uid (Uid:'s first field): a pid reused by another user's process is not the owner.
            string? uidLine = File.ReadLines($"{dir}/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal));
            string[]? ids = uidLine?.Split((char[])['\t', ' '], StringSplitOptions.RemoveEmptyEntries);
            if (ids is not { Length: > 1 } || ids[1] != uid.ToString(CultureInfo.InvariantCulture))
            {
                return Unknown;
            }

            return Platform.ProcessControl.ReadCommand(pid) ?? Unknown;
        }
        catch (IOException)
        {
            return Unknown;
        }
        catch (UnauthorizedAccessException)
        {
            return Unknown;
        }
    }
}
