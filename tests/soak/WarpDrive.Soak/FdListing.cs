namespace WarpDrive.Soak;

/// <summary>What a process's descriptors point at (<c>/proc/&lt;pid&gt;/fd</c> link targets, grouped by kind with the
/// socket and pipe inode numbers dropped): written before the first client and after the last, so that a difference
/// says what was left open.</summary>
internal static class FdListing
{
    /// <summary>Writes one line per kind, <c>count target</c>, sorted, to <paramref name="path"/>.</summary>
    /// <returns>How many descriptors are not assembly images (<c>*.dll</c>: the runtime keeps an assembly's file open
    /// from its first use to the end of the process, so one loaded late is no leak).</returns>
    public static int Write(int pid, string path)
    {
        var lines = new List<string>();
        foreach (string fd in Directory.GetFileSystemEntries($"/proc/{pid}/fd"))
        {
            try
            {
                string target = new FileInfo(fd).LinkTarget ?? "?";
                int bracket = target.IndexOf(":[", StringComparison.Ordinal);
                lines.Add(bracket > 0 ? target[..bracket] : target); // socket:[123] -> socket
            }
            catch (IOException)
            {
                // closed meanwhile
            }
        }

        File.WriteAllLines(path, lines.GroupBy(l => l).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count(),4} {g.Key}"));
        return lines.Count(l => !l.EndsWith(".dll", StringComparison.Ordinal));
    }
}
