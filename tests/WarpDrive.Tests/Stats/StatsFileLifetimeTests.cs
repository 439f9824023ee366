using System.Buffers.Binary;
using WarpDrive.Abi.Stats;
using WarpDrive.Devices;
using WarpDrive.Tests.Broker;

namespace WarpDrive.Tests.Stats;

/// <summary>Who removes a stats file: its publisher when it exits normally (the default runtime is never disposed),
/// else the next writer under the same run directory, which removes the files of dead and reused pids and keeps the
/// live ones. Real client processes (<c>WarpDrive.TestClient default-runtime</c>).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class StatsFileLifetimeTests : IDisposable
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(120); // a bound for a hang, not a pace
    private readonly string _run = Directory.CreateTempSubdirectory("wd-stats-life-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    private string StatsDirectory => Path.Combine(_run, "stats");

    private string[] FilesOf(int pid) =>
        Directory.Exists(StatsDirectory) ? Directory.GetFiles(StatsDirectory, $"{pid}-*{StatsLayout.Extension}") : [];

    /// <summary>A client on <see cref="WdRuntime.Default"/> with in-process devices, publishing under this run directory.</summary>
    private ChildProcess StartClient() => ChildProcess.Start(_run, "WarpDrive.TestClient.dll", ["default-runtime"],
        environment: new Dictionary<string, string> { ["WD_MODE"] = "local", [StatsFile.EnvironmentVariable] = "1" });

    [Fact]
    public async Task AProcessOnTheDefaultRuntimeRemovesItsStatsFileWhenItExitsNormally()
    {
        await using ChildProcess client = StartClient();
        Assert.Equal("ready", await client.ReadLineAsync(s_timeout));
        string[] files = FilesOf(client.Pid); // published while it runs (zip-0's; Mix mode's inline devices may have one too)
        Assert.NotEmpty(files);
        Assert.True(StatsFileReader.TryRead(files[0], out StatsSnapshot? snapshot, out string? error), error);
        Assert.Equal(client.Pid, snapshot.Pid);

        client.CloseStdin();
        Assert.True(await client.WaitForExitAsync(s_timeout) == 0, client.Stderr);
        Assert.Empty(FilesOf(client.Pid));
    }

    [Fact]
    public async Task TheNextWriterRemovesTheFilesOfDeadAndReusedPidsAndKeepsLiveOnes()
    {
        await using ChildProcess live = StartClient();
        await using ChildProcess killed = StartClient();
        Assert.Equal("ready", await live.ReadLineAsync(s_timeout));
        Assert.Equal("ready", await killed.ReadLineAsync(s_timeout));
        killed.Signal(NativeTestMethods.SIGKILL);
        Assert.NotEqual(0, await killed.WaitForExitAsync(s_timeout));
        string[] deadFiles = FilesOf(killed.Pid); // SIGKILL: nobody removed them
        string[] liveFiles = FilesOf(live.Pid);
        Assert.NotEmpty(deadFiles);
        Assert.NotEmpty(liveFiles);

        // This process's pid with a start time it never had: a publisher that died, whose pid came back to us.
        string reusedFile = Path.Combine(StatsDirectory, $"{Environment.ProcessId}-0{StatsLayout.Extension}");
        byte[] reused = File.ReadAllBytes(liveFiles[0]);
        BinaryPrimitives.WriteInt32LittleEndian(reused.AsSpan(20), Environment.ProcessId);
        BinaryPrimitives.WriteUInt64LittleEndian(reused.AsSpan(24), 1);
        File.WriteAllBytes(reusedFile, reused);
        // A dead pid that recorded no start time, and a name that is no stats file's.
        int dead = TopCliTests.DeadPid();
        string deadNoStart = Path.Combine(StatsDirectory, $"{dead}-1{StatsLayout.Extension}");
        File.WriteAllBytes(deadNoStart, TopCliTests.FakeFile(dead, startTime: 0));
        string foreign = Path.Combine(StatsDirectory, $"notes{StatsLayout.Extension}");
        File.WriteAllText(foreign, "not a stats file");

        using (StatsFile mine = StatsFile.Create(_run, StatsPublisher.InProcess, deviceCapacity: 1, queueCapacity: 1))
        {
            Assert.Empty(FilesOf(killed.Pid)); // the killed client's
            Assert.False(File.Exists(reusedFile), "the reused pid's file is left");
            Assert.False(File.Exists(deadNoStart), "the dead pid's file is left");
            Assert.Equal(liveFiles, FilesOf(live.Pid)); // a live client's stay
            Assert.True(File.Exists(foreign), "a file that names no pid was removed");
            Assert.True(File.Exists(mine.Path));
            Assert.Equal(0, StatsFile.RemoveStale(StatsDirectory)); // its own, live, file stays too
            Assert.True(File.Exists(mine.Path));
        }

        live.CloseStdin();
        Assert.True(await live.WaitForExitAsync(s_timeout) == 0, live.Stderr);
        Assert.Empty(FilesOf(live.Pid)); // removed by the client itself on its normal exit
    }

    [Fact]
    public void APublisherIsGoneWhenItsPidIsFreeOrNamesALaterProcess()
    {
        ulong myStart = ulong.Parse(global::WarpDrive.Platform.ProcessControl.ReadStartTime(Environment.ProcessId)!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.False(StatsFile.IsPublisherGone(Environment.ProcessId, 0));
        Assert.False(StatsFile.IsPublisherGone(Environment.ProcessId, myStart));
        Assert.True(StatsFile.IsPublisherGone(Environment.ProcessId, myStart + 1));
        Assert.True(StatsFile.IsPublisherGone(TopCliTests.DeadPid(), 0));
        Assert.True(StatsFile.TryParsePid("812-3.stats", out int pid));
        Assert.Equal(812, pid);
        Assert.False(StatsFile.TryParsePid("notes.stats", out _));
        Assert.False(StatsFile.TryParsePid("-3.stats", out _));
    }
}
