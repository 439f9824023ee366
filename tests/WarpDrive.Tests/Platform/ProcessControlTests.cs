using System.Diagnostics;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

[Trait(Tiers.Name, Tiers.Integration)]
public class ProcessControlTests
{
    [Fact]
    public void IdsAreThisProcesss()
    {
        Assert.Equal(Environment.ProcessId, ProcessControl.GetPid());
        string status = File.ReadAllText("/proc/self/status");
        string[] uids = status.Split('\n').First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(uint.Parse(uids[1], System.Globalization.CultureInfo.InvariantCulture), ProcessControl.GetUid());
        Assert.Equal(uint.Parse(uids[2], System.Globalization.CultureInfo.InvariantCulture), ProcessControl.GetEUid());
    }

    [Fact]
    public void StartTimeOfALiveAndADeadProcess()
    {
        string? mine = ProcessControl.ReadStartTime(Environment.ProcessId);
        Assert.NotNull(mine);
        Assert.True(ulong.TryParse(mine, out _), mine);
        Assert.Equal(mine, ProcessControl.ReadStartTime(Environment.ProcessId));

        using var child = Process.Start(new ProcessStartInfo("sleep", "5") { UseShellExecute = false })!;
        string? childs = ProcessControl.ReadStartTime(child.Id);
        Assert.NotNull(childs);
        Assert.True(ulong.Parse(childs, System.Globalization.CultureInfo.InvariantCulture) >= ulong.Parse(mine, System.Globalization.CultureInfo.InvariantCulture));
        child.Kill();
        child.WaitForExit();
        Assert.Null(ProcessControl.ReadStartTime(child.Id));
        Assert.Null(ProcessControl.ReadStartTime(-1));
    }

    [Fact]
    public void StartTimeParsingCountsFromTheLastParenthesis()
    {
        // Fields 3 (state) .. 21, then 22 (starttime), 23 ...
        const string Line = "1234 (a) b (c)) S 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 98765 23 24\n";
        Assert.Equal("98765", ProcessControl.ParseStartTime(Line));
        Assert.Null(ProcessControl.ParseStartTime("1234 (x) S 1 2"));
        Assert.Null(ProcessControl.ParseStartTime("garbage"));
    }

    [Fact]
    public void SetPtracerSucceedsOrReportsYamaAbsent()
    {
        bool yama = Directory.Exists("/proc/sys/kernel/yama");
        Assert.Equal(yama, ProcessControl.SetPtracer(Environment.ProcessId));
        if (yama)
        {
            Assert.True(ProcessControl.SetPtracer(0));
        }
    }

    [Fact]
    public void OpenFdCountFollowsOpenAndClose()
    {
        // Other tests open and close descriptors meanwhile (CI saw +6 once): a try counts only when both deltas fit,
        // and a count that did not follow open and close would miss on every try.
        var tries = new List<(int Opened, int Closed)>();
        for (int attempt = 0; attempt < 20; attempt++)
        {
            int before = ProcessControl.OpenFdCount();
            var handles = Enumerable.Range(0, 10).Select(_ => File.OpenHandle("/proc/self/stat")).ToArray();
            int opened = ProcessControl.OpenFdCount() - before;
            foreach (var h in handles)
            {
                h.Dispose();
            }

            int closed = ProcessControl.OpenFdCount() - before;
            tries.Add((opened, closed));
            if (opened is >= 9 and <= 11 && closed is >= -1 and <= 1)
            {
                return;
            }
        }

        Assert.Fail($"open-descriptor count did not follow 10 opens and closes in 20 tries: {string.Join(", ", tries)}");
    }

    [Fact]
    public void CloseOfAnUnopenedNumberIsEbadf()
    {
        var e = Assert.Throws<PlatformException>(() => FileDescriptor.Close(int.MaxValue));
        Assert.Equal(9, e.Errno);
        Assert.Equal($"close({int.MaxValue}) failed: EBADF (Bad file descriptor)", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => FileDescriptor.Own(-1));
    }
}
