using System.Text.Json;
using WarpDrive.Abi;
using WarpDrive.Abi.Stats;
using WarpDrive.Platform;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary><c>wd top</c> against a real <c>wdd</c>: the broker publishes its devices' counters, and another
/// process reads them.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerTopTests(ITestOutputHelper output)
{
    [Fact]
    public async Task WdTopShowsTheBrokersCountersAndTheOwnerOfEachQueue()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        string statsFile;
        using (WdRuntime runtime = broker.CreateRuntime())
        {
            using WdQueue queue = runtime.RequestQueue("gzip");
            int[] lengths = [100, 5000, 70_000];
            ulong bytesIn = 0, bytesOut = 0;
            foreach (int length in lengths)
            {
                byte[] data = TestData.Text(length, seed: length);
                using WdSharedMemory src = runtime.ReserveMemory(data.Length);
                using WdSharedMemory dst = runtime.ReserveMemory(data.Length + 4096);
                data.CopyTo(src.GetSpan());
                Cqe cqe = BrokerTestKit.Run(queue, BrokerTestKit.Compress((ulong)length, src, data.Length, dst));
                Assert.Equal(CompletionStatus.Ok, cqe.Status);
                bytesIn += (ulong)length;
                bytesOut += cqe.Produced;
            }

            // One the device refuses: an address outside every shared range.
            Cqe fault = BrokerTestKit.Run(queue, BrokerTestKit.Compress(9, 0x1000, 64, 0x2000, 64));
            Assert.NotEqual(CompletionStatus.Ok, fault.Status);

            ChildProcess top = await broker.RunWdAsync("top", "--json", "--run-dir", broker.RunDirectory);
            Assert.True(top.ExitCode == 0, top.Stderr);
            output.WriteLine(top.Stdout);
            using JsonDocument doc = JsonDocument.Parse(top.Stdout);
            JsonElement publisher = Assert.Single(doc.RootElement.GetProperty("publishers").EnumerateArray());
            Assert.Equal("broker", publisher.GetProperty("publisher").GetString());
            Assert.Equal(broker.Pid, publisher.GetProperty("pid").GetInt32());
            statsFile = publisher.GetProperty("file").GetString()!;
            JsonElement device = Assert.Single(publisher.GetProperty("devices").EnumerateArray());
            Assert.Equal("zip-0", device.GetProperty("name").GetString());
            Assert.Equal("SVA SHARE", device.GetProperty("flags").GetString());
            Assert.Equal(0, device.GetProperty("faults").GetInt32());
            Assert.False(device.GetProperty("isolated").GetBoolean());
            JsonElement[] queues = [.. device.GetProperty("queues").EnumerateArray()];
            Assert.Equal(16, queues.Length);
            JsonElement used = Assert.Single(queues, q => q.GetProperty("state").GetString() == "started");
            Assert.Equal(Environment.ProcessId, used.GetProperty("owner_pid").GetInt32());
            Assert.Equal(ProcessControl.GetUid(), used.GetProperty("owner_uid").GetUInt32());
            Assert.Equal(Environment.UserName, used.GetProperty("owner_user").GetString());
            Assert.Equal(ProcessControl.ReadCommand(Environment.ProcessId), used.GetProperty("owner_command").GetString());
            Assert.Equal(4ul, used.GetProperty("submitted").GetUInt64());
            Assert.Equal(4ul, used.GetProperty("completed").GetUInt64());
            Assert.Equal(1ul, used.GetProperty("errors").GetUInt64());
            Assert.Equal(bytesIn, used.GetProperty("bytes_in").GetUInt64());
            Assert.Equal(bytesOut, used.GetProperty("bytes_out").GetUInt64());
            Assert.Equal(0ul, used.GetProperty("depth").GetUInt64());
            Assert.All(queues.Where(q => q.GetProperty("state").GetString() != "started"), q =>
            {
                Assert.Equal("free", q.GetProperty("state").GetString());
                Assert.Equal(0, q.GetProperty("owner_pid").GetInt32());
            });

            // The table form names the broker and the owner.
            ChildProcess table = await broker.RunWdAsync("top", "--once", "--run-dir", broker.RunDirectory);
            Assert.True(table.ExitCode == 0, table.Stderr);
            Assert.Contains($"wdd (pid {broker.Pid})", table.Stdout, StringComparison.Ordinal);
            Assert.Contains($" {Environment.ProcessId} ", table.Stdout, StringComparison.Ordinal);
        }

        // The queue went back with the runtime: free again, no owner, its counters kept.
        Assert.True(await BrokerTestKit.EventuallyAsync(() =>
            StatsFileReader.TryRead(statsFile, out StatsSnapshot? s, out _)
            && s.Devices[0].Queues.All(q => q.State == QueueStatsState.Free && q.OwnerPid == 0), TimeSpan.FromSeconds(10)));
        Assert.True(StatsFileReader.TryRead(statsFile, out StatsSnapshot? after, out string? error), error);
        Assert.Equal(4L, after.Devices[0].Queues.Sum(q => (long)q.Completed));

        await broker.DisposeAsync();
        Assert.False(File.Exists(statsFile), "wdd left its stats file behind");
    }
}
