using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Devices;
using WarpDrive.Queues;
using WarpDrive.Scheduling;
using static WarpDrive.Tests.Scheduling.SchedulerTestKit;

namespace WarpDrive.Tests.Scheduling;

[Trait(Tiers.Name, Tiers.Integration)]
public class SchedulerPolicyTests
{
    private static readonly CompressionSessionOptions s_compress = new() { Algorithm = CompressionAlgorithm.Gzip, Level = 1 };
    private static readonly CompressionSessionOptions s_decompress = new() { Algorithm = CompressionAlgorithm.Gzip, Direction = CompressionDirection.Decompress };

    [Fact]
    public void InitializeOpensEveryConfiguredContextAtOnceAndOnlyOnce()
    {
        using WdRuntime runtime = Runtime();
        DeviceHost host = EmbeddedZip(runtime);
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions
        {
            Contexts = ContextEnvironment.ParseContextNumber("test", "sync-comp:2,sync-decomp:1,async-comp:3", ["comp", "decomp"]),
        });
        Assert.Equal(16 - 6, host.AvailableInstances);
        WdConfigurationException again = Assert.Throws<WdConfigurationException>(() => runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions()));
        Assert.Contains("already", again.Message);
        Assert.Equal(16 - 6, host.AvailableInstances);
    }

    [Fact]
    public void InitializeThatAsksForMoreQueuesThanTheDeviceHasFailsAndGivesEveryQueueBack()
    {
        using WdRuntime runtime = Runtime(queues: 4);
        DeviceHost host = EmbeddedZip(runtime);
        WdDeviceNotFoundException e = Assert.Throws<WdDeviceNotFoundException>(() => runtime.Initialize(AlgorithmLibrary.Comp,
            new LibraryOptions { Contexts = [new ContextSpec(false, null, 3, -1), new ContextSpec(true, null, 3, -1)] }));
        Assert.Contains("asks for 3 async contexts but zip-0 had 1 free queue", e.Message);
        Assert.Equal(4, host.AvailableInstances);

        // The library was not set up: it can be, with what fits.
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { Contexts = [new ContextSpec(false, null, 2, -1), new ContextSpec(true, null, 2, -1)] });
        Assert.Equal(0, host.AvailableInstances);
    }

    [Fact]
    public void BadOptionsAreRefusedWithTheLibraryNamed()
    {
        using WdRuntime runtime = Runtime();
        Assert.Contains("PollThreads", Assert.Throws<WdConfigurationException>(() => runtime.Initialize(AlgorithmLibrary.Rsa, new LibraryOptions { PollThreads = 0 })).Message);
        Assert.Contains("at least one", Assert.Throws<WdConfigurationException>(() => runtime.Initialize(AlgorithmLibrary.Rsa, new LibraryOptions { Contexts = [] })).Message);
        Assert.Contains("InlineThreshold", Assert.Throws<WdConfigurationException>(() => runtime.Initialize(AlgorithmLibrary.Rsa, new LibraryOptions { InlineThreshold = -1 })).Message);
    }

    [Fact]
    public async Task RequestsGoToTheContextsOfTheirModeAndOperation()
    {
        using WdRuntime runtime = Runtime();
        DeviceHost host = EmbeddedZip(runtime);
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions
        {
            Contexts = ContextEnvironment.ParseContextNumber("test", "sync-comp:1,sync-decomp:1,async-comp:1,async-decomp:1", ["comp", "decomp"]),
        });
        using var compressor = new CompressionSession(s_compress, runtime);
        using var decompressor = new CompressionSession(s_decompress, runtime);
        byte[] input = TestData.Text(10_000);
        byte[] gzip = Compress(compressor, input);
        byte[] back = new byte[input.Length];

        var used = new List<int>();
        async Task<int> Only(Func<Task> requests)
        {
            ulong[] before = Submitted(host);
            await requests();
            Dictionary<int, ulong> delta = Delta(before, Submitted(host));
            KeyValuePair<int, ulong> single = Assert.Single(delta);
            Assert.Equal(3UL, single.Value);
            used.Add(single.Key);
            return single.Key;
        }

        await Only(() => { for (int i = 0; i < 3; i++) { Compress(compressor, input); } return Task.CompletedTask; });
        await Only(() => { for (int i = 0; i < 3; i++) { Assert.True(decompressor.Process(gzip, back).IsOk); } return Task.CompletedTask; });
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
        await Only(async () => { for (int i = 0; i < 3; i++) { Assert.True((await compressor.ProcessAsync(input, output)).IsOk); } });
        await Only(async () => { for (int i = 0; i < 3; i++) { Assert.True((await decompressor.ProcessAsync(gzip, back)).IsOk); } });
        Assert.Equal(4, used.Distinct().Count());
        Assert.Equal(input, back);
    }

    [Fact]
    public void RoundRobinSpreadsOneSessionsRequestsOverEveryContext()
    {
        using WdRuntime runtime = Runtime();
        DeviceHost host = EmbeddedZip(runtime);
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { Contexts = [new ContextSpec(false, null, 3, -1)] });
        using var session = new CompressionSession(s_compress, runtime);
        ulong[] before = Submitted(host);
        for (int i = 0; i < 12; i++)
        {
            Compress(session, TestData.Text(2000, seed: i));
        }

        Dictionary<int, ulong> delta = Delta(before, Submitted(host));
        Assert.Equal(3, delta.Count);
        Assert.All(delta.Values, n => Assert.Equal(4UL, n));
    }

    [Fact]
    public void SingleKeepsEachSessionOnOneContextAndSpreadsSessions()
    {
        using WdRuntime runtime = Runtime();
        DeviceHost host = EmbeddedZip(runtime);
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { Contexts = [new ContextSpec(false, null, 2, -1)], Policy = SchedulingPolicy.Single });
        using var first = new CompressionSession(s_compress, runtime);
        using var second = new CompressionSession(s_compress, runtime);
        int QueueOf(CompressionSession session)
        {
            ulong[] before = Submitted(host);
            for (int i = 0; i < 5; i++)
            {
                Compress(session, TestData.Text(2000, seed: i));
            }

            KeyValuePair<int, ulong> single = Assert.Single(Delta(before, Submitted(host)));
            Assert.Equal(5UL, single.Value);
            return single.Key;
        }

        int a = QueueOf(first), b = QueueOf(second);
        Assert.NotEqual(a, b);
        Assert.Equal(a, QueueOf(first));
    }

    [Fact]
    public void LeastLoadedPicksTheContextWithFewestRequestsInFlight()
    {
        using WdRuntime runtime = Runtime();
        // Two real contexts; requests published on the first and never reaped keep it loaded.
        var busy = new WdContext(runtime.RequestQueue("gzip"), null);
        var idle = new WdContext(runtime.RequestQueue("gzip"), null);
        try
        {
            for (int i = 0; i < 3; i++)
            {
                RequestSlot slot = busy.Rent();
                slot.Prepare(isAsync: false, null, last: true);
                busy.Submit(slot, new Sqe { UserData = slot.Tag, Opcode = Opcode.Nop });
            }

            Assert.Equal(3, busy.InFlight);
            var group = new ContextGroup(new ContextSpec(false, null, 2, -1), [busy, idle], borrowed: false);
            for (int i = 0; i < 10; i++)
            {
                Assert.Same(idle, group.Pick(SchedulingPolicy.LeastLoaded, 0));
            }

            // Round-robin ignores load.
            Assert.Contains(busy, Enumerable.Range(0, 4).Select(_ => group.Pick(SchedulingPolicy.RoundRobin, 0)));
            WaitReaped(busy);
            Assert.Equal(0, busy.InFlight);
        }
        finally
        {
            busy.Dispose();
            idle.Dispose();
        }
    }

    private static void WaitReaped(WdContext context)
    {
        // Sync slots are reaped (recorded) by Poll but not delivered: InFlight falls as they are recorded.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (context.InFlight > 0 && DateTime.UtcNow < deadline)
        {
            context.Poll(int.MaxValue);
            Thread.Sleep(1);
        }
    }

    [Fact]
    public void TheEnvironmentConfiguresALibraryAndABadValueIsNamedByTheCli()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "hello");
            (int code, _, string stderr) = CliRunner.Wd($"digest -a sha256 {file}", env: new() { ["WD_DIGEST_CTX_NUM"] = "sync:two" });
            Assert.Equal(2, code);
            Assert.Contains("WD_DIGEST_CTX_NUM", stderr);
            Assert.Single(stderr.Trim().Split('\n'));

            (code, string stdout, _) = CliRunner.Wd($"digest -a sha256 {file}",
                env: new() { ["WD_DIGEST_CTX_NUM"] = "sync:1@0,async:1@0", ["WD_DIGEST_SCHED_POLICY"] = "least-loaded", ["WD_DIGEST_ASYNC_POLL_NUM"] = "2" });
            Assert.Equal(0, code);
            Assert.StartsWith("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824", stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static DeviceHost EmbeddedZip(WdRuntime runtime)
    {
        _ = runtime.Devices; // starts the embedded devices
        return runtime.FindEmbeddedHost("zip-0")!;
    }
}
