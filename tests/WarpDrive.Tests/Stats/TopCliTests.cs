using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using WarpDrive.Abi.Stats;
using WarpDrive.Devices;
using WarpDrive.Devices.Zip;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Stats;

/// <summary><c>wd top</c> as a real process: stale files, no publisher, bad flags.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class TopCliTests : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("wd-top-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    [Fact]
    public void StaleFilesOfDeadOrReusedPidsAreRemovedAndLiveOnesShown()
    {
        string statsDir = Path.Combine(_run, "stats");
        using (var stats = StatsFile.Create(_run, StatsPublisher.InProcess, 1, 2))
        using (var host = new DeviceHost(new ZipDevice("zip-5"), new DeviceHostOptions { QueueCount = 2, WorkerCount = 1 }, stats))
        {
            // Made after the writer's own sweep (StatsFile.Create removes stale files too): wd top is what removes these.
            int dead = DeadPid();
            string deadFile = Path.Combine(statsDir, $"{dead}-1.stats");
            File.WriteAllBytes(deadFile, FakeFile(dead, startTime: 0));
            // This process's pid, but a start time it never had: the pid was reused after the publisher died.
            string reusedFile = Path.Combine(statsDir, $"{Environment.ProcessId}-0.stats");
            File.WriteAllBytes(reusedFile, FakeFile(Environment.ProcessId, startTime: 1));

            (int code, string stdout, string stderr) = CliRunner.Wd($"top --json --run-dir '{_run}'");
            Assert.True(code == 0, stderr);
            using JsonDocument doc = JsonDocument.Parse(stdout);
            JsonElement publisher = Assert.Single(doc.RootElement.GetProperty("publishers").EnumerateArray());
            Assert.Equal(Environment.ProcessId, publisher.GetProperty("pid").GetInt32());
            Assert.Equal("in-process", publisher.GetProperty("publisher").GetString());
            Assert.Equal(stats.Path, publisher.GetProperty("file").GetString());
            JsonElement device = Assert.Single(publisher.GetProperty("devices").EnumerateArray());
            Assert.Equal("zip-5", device.GetProperty("name").GetString());
            Assert.Equal(2, device.GetProperty("queues").GetArrayLength());
            Assert.False(File.Exists(deadFile), "the dead publisher's file is left");
            Assert.False(File.Exists(reusedFile), "the reused pid's file is left");
        }

        // The publisher removed its file on dispose: nothing publishes now.
        (int none, _, string error) = CliRunner.Wd($"top --once --run-dir '{_run}'");
        Assert.Equal(3, none);
        Assert.Equal($"wd: no WarpDrive devices are publishing counters under {_run}", error.TrimEnd('\n'));
    }

    [Fact]
    public void EachOwnerIsShownAsPidCommandUserAndUidWithAQuestionMarkWhereProcDoesNotSay()
    {
        using var stats = StatsFile.Create(_run, StatsPublisher.InProcess, 1, 3);
        using var host = new DeviceHost(new ZipDevice("zip-6"), new DeviceHostOptions { QueueCount = 3, WorkerCount = 1 }, stats);
        int dead = DeadPid(); // the stats file still names it: wd top cannot read its command
        Assert.True(host.TryAllocateQueue(new Domain(), out HardwareQueue? mine));
        Assert.True(host.TryAllocateQueue(new Domain(dead), out HardwareQueue? gone));
        uint uid = ProcessControl.GetUid();
        string command = ProcessControl.ReadCommand(Environment.ProcessId)!;
        try
        {
            (int code, string stdout, string stderr) = CliRunner.Wd($"top --json --run-dir '{_run}'");
            Assert.True(code == 0, stderr);
            using JsonDocument doc = JsonDocument.Parse(stdout);
            JsonElement[] queues = [.. doc.RootElement.GetProperty("publishers")[0].GetProperty("devices")[0].GetProperty("queues").EnumerateArray()];
            JsonElement me = Assert.Single(queues, q => q.GetProperty("owner_pid").GetInt32() == Environment.ProcessId);
            Assert.Equal(uid, me.GetProperty("owner_uid").GetUInt32());
            Assert.Equal(Environment.UserName, me.GetProperty("owner_user").GetString());
            Assert.Equal(command, me.GetProperty("owner_command").GetString());
            JsonElement ghost = Assert.Single(queues, q => q.GetProperty("owner_pid").GetInt32() == dead);
            Assert.Equal("?", ghost.GetProperty("owner_command").GetString());
            Assert.Equal(Environment.UserName, ghost.GetProperty("owner_user").GetString());
            JsonElement free = Assert.Single(queues, q => q.GetProperty("owner_pid").GetInt32() == 0);
            Assert.Equal(JsonValueKind.Null, free.GetProperty("owner_command").ValueKind);

            (code, stdout, stderr) = CliRunner.Wd($"top --once --run-dir '{_run}'");
            Assert.True(code == 0, stderr);
            Assert.Contains("command", stdout, StringComparison.Ordinal);
            Assert.Matches($@"│ +{Environment.ProcessId} │ {System.Text.RegularExpressions.Regex.Escape(command)} +│ {Environment.UserName} \({uid}\) +│", stdout);
            Assert.Matches($@"│ +{dead} │ \? +│ {Environment.UserName} \({uid}\) +│", stdout);
        }
        finally
        {
            host.ReleaseQueue(mine);
            host.ReleaseQueue(gone);
        }
    }

    [Fact]
    public void ARunDirectoryWithoutPublishersExits3WithOneLine()
    {
        string missing = Path.Combine(_run, "nothing-here");
        (int code, string stdout, string stderr) = CliRunner.Wd($"top --json --run-dir '{missing}'");
        Assert.Equal(3, code);
        Assert.Equal("", stdout);
        Assert.Equal($"wd: no WarpDrive devices are publishing counters under {missing}", stderr.TrimEnd('\n'));
    }

    [Theory]
    [InlineData("top --interval 0", "--interval")]
    [InlineData("top --interval soon", "soon")]
    [InlineData("top --frobnicate", "--frobnicate")]
    public void BadFlagsAreUsageErrors(string args, string named)
    {
        (int code, string stdout, string stderr) = CliRunner.Wd($"{args} --run-dir '{_run}'");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        string[] lines = stderr.TrimEnd('\n').Split('\n');
        Assert.Equal(2, lines.Length);
        Assert.Contains(named, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("Try 'wd --help'", lines[1], StringComparison.Ordinal);
    }

    internal static int DeadPid()
    {
        using Process p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    /// <summary>A complete stats file of one device with no queues, published by <paramref name="pid"/>.</summary>
    internal static byte[] FakeFile(int pid, ulong startTime)
    {
        byte[] file = new byte[StatsLayout.FileSize(1, 0)];
        var header = new StatsHeader
        {
            Magic = StatsLayout.Magic, Version = StatsLayout.Version, HeaderSize = StatsLayout.HeaderSize,
            DeviceRecordSize = StatsLayout.DeviceRecordSize, QueueRecordSize = StatsLayout.QueueRecordSize,
            DeviceCapacity = 1, DeviceCount = 1, Pid = pid, StartTime = startTime, Publisher = (uint)StatsPublisher.InProcess,
        };
        MemoryMarshal.Write(file, in header);
        StatsText.Write(file.AsSpan(StatsLayout.DeviceOffset(0), StatsLayout.NameSize), "ghost-" + pid.ToString(CultureInfo.InvariantCulture));
        return file;
    }
}
