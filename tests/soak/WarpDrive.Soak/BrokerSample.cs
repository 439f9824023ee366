using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>One reading of the broker's resources.</summary>
/// <param name="Seconds">Seconds since the clients started (negative before).</param>
/// <param name="Phase"><c>idle-start</c> (no client yet), <c>warm-up</c>, <c>measured</c>, or <c>idle-end</c> (every client gone).</param>
/// <param name="Fds">Entries of <c>/proc/&lt;pid&gt;/fd</c>.</param>
/// <param name="RssKiB">VmRSS from <c>/proc/&lt;pid&gt;/status</c>, in KiB.</param>
/// <param name="Threads">Threads from <c>/proc/&lt;pid&gt;/status</c>.</param>
/// <param name="Clients">Client processes alive at that moment.</param>
/// <param name="Done">Requests done so far by the clients (their last reports).</param>
internal sealed record BrokerSample(double Seconds, string Phase, int Fds, long RssKiB, int Threads, int Clients, long Done)
{
    /// <summary>Reads <c>/proc/<paramref name="pid"/></c>.</summary>
    public static BrokerSample Read(int pid, double seconds, string phase, int clients, long done)
    {
        int fds = Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        long rss = 0;
        int threads = 0;
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
        }

        return new(seconds, phase, fds, rss, threads, clients, done);
    }

    /// <summary>The CSV header matching <see cref="ToCsv"/>.</summary>
    public const string CsvHeader = "seconds,phase,fds,rss_kib,threads,clients,requests_done";

    /// <summary>One CSV line.</summary>
    public string ToCsv() => string.Create(CultureInfo.InvariantCulture, $"{Seconds:F1},{Phase},{Fds},{RssKiB},{Threads},{Clients},{Done}");
}
