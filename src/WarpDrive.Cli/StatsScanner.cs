using WarpDrive.Abi.Stats;
using WarpDrive.Devices;
using WarpDrive.Platform;

namespace WarpDrive.Cli;

/// <summary>Reads every stats file under <c>&lt;run&gt;/stats</c> for <c>wd top</c>, and removes the files of
/// publishers that are gone (a process killed before it could remove its own).</summary>
internal static class StatsScanner
{
    /// <summary>One stats file as read.</summary>
    public sealed record Published(string Path, StatsSnapshot Stats);

    /// <summary>The live publishers' files, by pid and name. A file whose publisher has exited (no such pid, or a pid
    /// since reused by a process that started later) is removed where permitted and skipped; a file that is not
    /// (yet) a complete stats file is skipped.</summary>
    /// <exception cref="UnauthorizedAccessException">The directory cannot be listed.</exception>
    public static List<Published> Scan(string runDirectory)
    {
        var found = new List<Published>();
        string directory = RunDirectory.StatsDirectory(runDirectory);
        if (!Directory.Exists(directory))
        {
            return found;
        }

        foreach (string path in Directory.EnumerateFiles(directory, "*" + StatsLayout.Extension).Order(StringComparer.Ordinal))
        {
            if (!StatsFile.TryParsePid(System.IO.Path.GetFileName(path), out int pid))
            {
                continue;
            }

            if (StatsFile.IsPublisherGone(pid, 0))
            {
                DeleteQuietly(path); // the publisher is gone
                continue;
            }

            StatsSnapshot? stats;
            try
            {
                if (!StatsFileReader.TryRead(path, out stats, out _) || stats.Pid != pid)
                {
                    continue; // being created, or not ours to read
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // removed meanwhile, or not readable by us
            }

            if (stats.StartTime != 0 && StatsFile.IsPublisherGone(pid, stats.StartTime))
            {
                DeleteQuietly(path); // the pid now names a later process
                continue;
            }

            found.Add(new Published(path, stats));
        }

        return found;
    }

    /// <summary>Deletes <paramref name="path"/> if this process may; a file it may not delete is left alone.</summary>
    private static void DeleteQuietly(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Another user's file in a directory we may not write: skipped all the same.
        }
    }
}
