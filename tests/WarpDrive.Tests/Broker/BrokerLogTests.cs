using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using WarpDrive.Abi.Broker;
using WarpDrive.Broker;
using WarpDrive.Platform;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>The lines a client can cause are rate limited (LogRateLimiter): a few per kind and uid per interval,
/// then one count of the rest.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed partial class BrokerLogTests(ITestOutputHelper output)
{
    [Fact]
    public void TheLimiterWritesTheFirstLinesOfAnIntervalAndThenOneCountOfTheRest()
    {
        long now = 1_000;
        var reports = new List<(LogKey Key, long Count)>();
        var limiter = new LogRateLimiter(3, 10_000, () => now, (k, n) => reports.Add((k, n)));
        var churn = new LogKey(7, "client failed", 1000);
        var other = new LogKey(7, "client failed", 0);

        // A flood of 100 lines in one interval: 3 written, 97 counted.
        int written = Enumerable.Range(0, 100).Count(_ => limiter.ShouldLog(churn));
        Assert.Equal(3, written);
        Assert.True(limiter.ShouldLog(other), "another uid's line was suppressed by the first uid's flood");
        Assert.Empty(reports);

        // Still inside the interval: nothing is reported yet.
        now += 9_999;
        limiter.Flush();
        Assert.Empty(reports);
        Assert.False(limiter.ShouldLog(churn));

        // The interval is over: one count for it, then the key is forgotten; the other uid had nothing suppressed.
        now += 1;
        limiter.Flush();
        Assert.Equal(new[] { (churn, 98L) }, reports);
        Assert.Equal(0, limiter.TrackedKeys);

        // A new interval begins with the next line: written again.
        now += 60_000;
        Assert.True(limiter.ShouldLog(churn));
        Assert.Equal(1, limiter.TrackedKeys);

        // A line after an interval that the tick did not flush reports that interval first.
        Assert.True(limiter.ShouldLog(churn));
        Assert.True(limiter.ShouldLog(churn));
        Assert.False(limiter.ShouldLog(churn));
        now += 10_000;
        reports.Clear();
        Assert.True(limiter.ShouldLog(churn));
        Assert.Equal(new[] { (churn, 1L) }, reports);

        // Nothing suppressed, nothing reported.
        reports.Clear();
        now += 10_000;
        limiter.Flush();
        Assert.Empty(reports);

        // Stopping: the counts of intervals still under way are written too.
        Enumerable.Range(0, 5).ToList().ForEach(_ => limiter.ShouldLog(other));
        limiter.Flush();
        Assert.Empty(reports);
        limiter.Flush(all: true);
        Assert.Equal(new[] { (other, 2L) }, reports);
        Assert.Equal(0, limiter.TrackedKeys);
    }

    [Fact]
    public async Task ConnectionChurnAgainstARealBrokerLogsAFewLinesAndACountNotALinePerConnection()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        int before = Lines(broker.Log);

        // connect, START_Q, close without reading the reply (the broker's reply fails), for 2 s; and connect, close.
        Span<byte> request = stackalloc byte[BrokerRequest.Size];
        MemoryMarshal.Write(request, new BrokerRequest { Op = BrokerOp.StartQueue });
        var clock = Stopwatch.StartNew();
        int churned = 0, refused = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(2))
        {
            using UnixSeqPacketSocket socket = UnixSeqPacketSocket.Connect(broker.SocketPath("zip-0"));
            churned++;
            try
            {
                if (churned % 2 == 0)
                {
                    socket.Send(request);
                }
            }
            catch (IOException)
            {
                refused++; // the churn outran the broker's closes: refused at max_connections_per_user, and closed
            }
        }

        // The summary comes once the 10 s interval of the first line is over (the broker flushes on its tick).
        Assert.True(await BrokerTestKit.EventuallyAsync(() => SuppressedRegex().IsMatch(broker.Log), TimeSpan.FromSeconds(15)),
            $"no 'suppressed' line after {churned} connections:\n{broker.Log}");
        string log = broker.Log;
        int lines = Lines(log) - before;
        Match summary = SuppressedRegex().Match(log);
        output.WriteLine($"{churned} connections (half with START_Q; {refused} found closed by a refusal) in 2 s: {lines} log lines; {summary.Value}");
        output.WriteLine(log);
        Assert.True(churned > 1000, $"only {churned} connections in 2 s");
        Assert.InRange(long.Parse(summary.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 1, 2L * churned);
        // 5 lines and one count per kind and uid per 10 s; a few kinds at most (client failed, client exited, refusals,
        // dropped at accept: 24 lines; 19 were seen once, so 20 was too tight), against thousands of connections.
        Assert.InRange(lines, 1, 40);
        Assert.True(broker.IsAlive);
    }

    private static int Lines(string log) => log.Count(c => c == '\n');

    [GeneratedRegex(@"suppressed (\d+) more '[a-z ]+' line\(s\) of uid \d+")]
    private static partial Regex SuppressedRegex();
}
