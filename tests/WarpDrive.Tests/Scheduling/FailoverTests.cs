using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Scheduling;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;
using static WarpDrive.Tests.Scheduling.SchedulerTestKit;

namespace WarpDrive.Tests.Scheduling;

/// <summary>Many devices: priority (broker over in-process), per-device spreading, and failover when the broker is
/// killed, through a real wdd.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public class FailoverTests(ITestOutputHelper output)
{
    private static readonly CompressionSessionOptions s_gzip = new() { Algorithm = CompressionAlgorithm.Gzip, Level = 1 };

    [Fact]
    public async Task WhenTheBrokerIsKilledInFlightRequestsFailClearlyOnceAndNewOnesGoToTheNextDevice()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "queues": 8, "workers": 1 } ] }""", output);
        using var runtime = new WdRuntime(new WdRuntimeOptions { MixMode = false, Mode = WdDeviceMode.Auto, BrokerRunDirectory = broker.RunDirectory });
        using var session = new CompressionSession(s_gzip, runtime);
        Assert.Equal("broker", session.Device.Location); // the broker's device outranks the in-process one

        byte[] input = TestData.Text(1 << 20);
        var callbacks = new int[16];
        int failedCallbacks = 0;
        CompressionCallback done = (in CompressionResult r, object? state) =>
        {
            Interlocked.Increment(ref callbacks[(int)state!]);
            if (r.Status == CompletionStatus.Disabled)
            {
                Interlocked.Increment(ref failedCallbacks);
            }
        };
        Task<CompressionResult>[] pending = [.. Enumerable.Range(0, 16).Select(_ => session.ProcessAsync(input, new byte[CompressionSession.GetMaxCompressedLength(input.Length)]).AsTask())];
        for (int i = 0; i < callbacks.Length; i++)
        {
            await session.SubmitAsync(input, new byte[CompressionSession.GetMaxCompressedLength(input.Length)], done, i);
        }

        broker.Kill();

        int failed = 0;
        foreach (Task<CompressionResult> task in pending)
        {
            try
            {
                Assert.Equal(CompletionStatus.Ok, (await task.WaitAsync(TimeSpan.FromSeconds(20))).Status);
            }
            catch (WdException e)
            {
                Assert.Contains("broker is gone", e.Message);
                failed++;
            }
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (callbacks.Any(c => Volatile.Read(ref c) == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.All(callbacks, c => Assert.Equal(1, c));
        Assert.True(failed + failedCallbacks > 0, "every request finished before the kill: nothing was in flight");
        output.WriteLine($"{failed} of 16 awaited and {failedCallbacks} of 16 callback requests failed with the broker");

        // New requests, sync and async, go to the in-process device.
        Assert.Equal(input, Gunzip(Compress(session, input)));
        Assert.Equal("in-process", session.Device.Location);
        byte[] again = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
        CompressionResult r = await session.ProcessAsync(input, again);
        Assert.Equal(input, Gunzip(again.AsSpan(0, r.Produced)));
    }

    [Fact]
    public async Task WithOnlyTheBrokerAKilledBrokerLeavesAClearError()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "queues": 4 } ] }""", output);
        using WdRuntime runtime = broker.CreateRuntime();
        using var session = new CompressionSession(s_gzip, runtime);
        Compress(session, TestData.Text(1000));
        broker.Kill();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        WdException? error = null;
        while (error is null && DateTime.UtcNow < deadline)
        {
            try
            {
                Compress(session, TestData.Text(1000));
            }
            catch (WdException e)
            {
                error = e;
            }
        }

        // "zip-0 no longer serves requests (queue is disabled (the broker is gone)) and no other device offers 'gzip'"
        // when the scheduler saw it first; the queue's own "queue is disabled (the broker is gone)" when the broker died
        // between the pick and the submission.
        Assert.NotNull(error);
        Assert.Contains("broker is gone", error.Message);
    }

    [Fact]
    public async Task TheNodeOfTheContextSpecsPicksTheDeviceOnThatNode()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(
            """{ "devices": [ { "name": "zip-0", "queues": 4, "numa_node": 0 }, { "name": "zip-1", "queues": 4, "numa_node": 1 } ] }""", output);
        foreach ((string spec, string device) in new[] { ("sync:1@1", "zip-1"), ("sync:1@0", "zip-0") })
        {
            using WdRuntime runtime = broker.CreateRuntime();
            runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { Contexts = ContextEnvironment.ParseContextNumber("test", spec, ["comp", "decomp"]) });
            using var session = new CompressionSession(s_gzip, runtime);
            Assert.Equal(device, session.Device.Name);
            Assert.Equal(TestData.Text(100), Gunzip(Compress(session, TestData.Text(100))));
        }
    }

    [Fact]
    public async Task PerDeviceSpreadsSessionsOverEveryDeviceOfTheTopPriority()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(
            """{ "devices": [ { "name": "zip-0", "queues": 4 }, { "name": "zip-1", "queues": 4 } ] }""", output);
        using var runtime = new WdRuntime(new WdRuntimeOptions { MixMode = false, Mode = WdDeviceMode.Auto, BrokerRunDirectory = broker.RunDirectory });
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { Policy = SchedulingPolicy.PerDevice, Contexts = [new ContextSpec(false, null, 1, -1)] });
        CompressionSession[] sessions = [.. Enumerable.Range(0, 4).Select(_ => new CompressionSession(s_gzip, runtime))];
        try
        {
            byte[] input = TestData.Text(5000);
            foreach (CompressionSession session in sessions)
            {
                Assert.Equal(input, Gunzip(Compress(session, input)));
            }

            Assert.All(sessions, s => Assert.Equal("broker", s.Device.Location));
            Assert.Equal(["zip-0", "zip-0", "zip-1", "zip-1"], sessions.Select(s => s.Device.Name).Order());
        }
        finally
        {
            foreach (CompressionSession session in sessions)
            {
                session.Dispose();
            }
        }
    }
}
