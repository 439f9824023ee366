using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Discovery;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>A client hurts only itself: invalid descriptors beyond queue_error_threshold or a broken ring protocol
/// disable its queue alone; device faults beyond isolate_strategy isolate the device, and isolate_strategy is an
/// attribute an operator can write.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerIsolationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("bad-opcode")]
    [InlineData("address-fault")]
    public async Task TooManyInvalidDescriptorsDisableThatQueueOnly(string fault)
    {
        const string config = """{ "devices": [ { "name": "zip-0", "queues": 4 } ], "limits": { "queue_error_threshold": 8 } }""";
        await using BrokerProcess broker = await BrokerProcess.StartAsync(config, output);
        using WdRuntime runtime = broker.CreateRuntime();
        using WdQueue victim = BrokerTestKit.OpenQueueWithRegion(broker, "zip-0", out QueueRegion victimRegion);
        using WdQueue other = runtime.RequestQueue("gzip");
        using WdSharedMemory src = runtime.ReserveMemory(4096);
        using WdSharedMemory dst = runtime.ReserveMemory(8192);

        Sqe bad = BrokerTestKit.Compress(0, src, src.Length, dst);
        if (fault == "bad-opcode")
        {
            bad.Opcode = (Opcode)0x7f;
        }
        else
        {
            bad.Src = 0x10000;
        }

        CompletionStatus expected = fault == "bad-opcode" ? CompletionStatus.BadRequest : CompletionStatus.AddressFault;
        for (ulong i = 1; i <= 8; i++)
        {
            Cqe cqe = BrokerTestKit.Run(victim, bad with { UserData = i });
            Assert.Equal(expected, cqe.Status);
            if (i < 8)
            {
                Assert.Equal(QueueState.Started, victim.State); // below the threshold: still served
            }
        }

        Assert.True(await BrokerTestKit.EventuallyAsync(() => victim.State == QueueState.Disabled, TimeSpan.FromSeconds(2)), $"state {victim.State} after 8 invalid descriptors");
        Assert.Equal(QueueDisableReason.TooManyErrors, victim.DisableReason);
        Assert.Equal(8u, victim.ErrorCount);
        var refused = Assert.Throws<WdException>(() => victim.TrySend(new Sqe { Opcode = Opcode.Nop }));
        Assert.Contains("too many invalid requests", refused.Message, StringComparison.Ordinal);

        // Writing "started" back into the status word does not make the device serve it again.
        Volatile.Write(ref victimRegion.State, (uint)QueueState.Started);
        Assert.True(victim.TrySend(new Sqe { UserData = 99, Opcode = Opcode.Nop }));
        victim.Flush();
        Assert.False(victim.TryReceive(out _, TimeSpan.FromMilliseconds(300)), "the device served a disabled queue");

        // The device serves its other queues, old and new.
        TestData.Text(src.Length, seed: 61).CopyTo(src.GetSpan());
        BrokerTestKit.AssertRoundTrip(runtime, other, TestData.Text(20_000, seed: 62));
        using WdQueue fresh = runtime.RequestQueue("gzip");
        BrokerTestKit.AssertRoundTrip(runtime, fresh, TestData.Text(20_000, seed: 63));
        Assert.True(await broker.LoggedAsync("disabled: TooManyErrors"), "no log line for the disabled queue");
    }

    [Theory]
    [InlineData("cq-head-ahead")]
    [InlineData("cq-head-behind")]
    [InlineData("sq-seq")]
    public async Task ABrokenRingProtocolDisablesTheQueueAtOnce(string violation)
    {
        const string config = """{ "devices": [ { "name": "zip-0", "queues": 4, "queue_depth": 4 } ] }""";
        await using BrokerProcess broker = await BrokerProcess.StartAsync(config, output);
        using WdQueue queue = BrokerTestKit.OpenQueueWithRegion(broker, "zip-0", out QueueRegion region);
        Assert.Equal(4, queue.Depth);

        BreakRing(queue, region, violation);

        Assert.True(await BrokerTestKit.EventuallyAsync(() => queue.State == QueueState.Disabled, TimeSpan.FromSeconds(2)), $"{violation}: state {queue.State}");
        Assert.Equal(QueueDisableReason.RingViolation, queue.DisableReason);
        var refused = Assert.Throws<WdException>(() => queue.TrySend(new Sqe { Opcode = Opcode.Nop }));
        Assert.Contains("ring protocol", refused.Message, StringComparison.Ordinal);
        Assert.True(await broker.LoggedAsync("disabled: RingViolation"), "no log line for the disabled queue");

        // Another queue of the same process on the same device is served.
        using WdRuntime runtime = broker.CreateRuntime();
        using WdQueue other = runtime.RequestQueue("gzip");
        BrokerTestKit.AssertRoundTrip(runtime, other, TestData.Text(30_000, seed: 64));
    }

    private static unsafe void BreakRing(WdQueue queue, QueueRegion region, string violation)
    {
        switch (violation)
        {
            case "sq-seq":
                // The slot at sq_head holds a sequence word the protocol cannot produce (neither this lap's nor the last's).
                Volatile.Write(ref region.SqSlot(0)->Seq, 0xBAD5EEDu);
                queue.Flush();
                break;
            default:
                // "behind": one lap completed and consumed first, so that a cq_head more than a depth behind exists.
                ulong start = 0;
                if (violation == "cq-head-behind")
                {
                    for (ulong i = 0; i < 4; i++)
                    {
                        Assert.Equal(CompletionStatus.Ok, BrokerTestKit.Run(queue, new Sqe { UserData = i, Opcode = Opcode.Nop }).Status);
                    }

                    start = 4;
                }

                // Fill the CQ (depth 4) without consuming, then claim a cq_head the device never gave out: the next
                // SQE finds the CQ full, reads cq_head, and cannot make sense of it.
                for (ulong i = start; i < start + 4; i++)
                {
                    Assert.True(queue.TrySend(new Sqe { UserData = i, Opcode = Opcode.Nop }));
                }

                queue.Flush();
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (Volatile.Read(ref region.CqTail) != start + 4)
                {
                    Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), "the device did not complete the NOPs");
                    Thread.Yield();
                }

                // Ahead of cq_tail (8 > 4), or more than a depth behind it (tail 8, head 2).
                Volatile.Write(ref region.CqHead, violation == "cq-head-ahead" ? start + 8 : 2UL);
                Assert.True(queue.TrySend(new Sqe { UserData = 99, Opcode = Opcode.Nop }));
                queue.Flush();
                break;
        }
    }

    [Fact]
    public async Task DeviceFaultsBeyondIsolateStrategyIsolateTheDevice()
    {
        const string config = """{ "devices": [ { "name": "zip-0", "queues": 4, "fault_injection": 1, "isolate_strategy": 2 } ] }""";
        await using BrokerProcess broker = await BrokerProcess.StartAsync(config, output);
        using WdRuntime runtime = broker.CreateRuntime();
        using WdQueue queue = runtime.RequestQueue("gzip");
        using WdSharedMemory src = runtime.ReserveMemory(4096);
        using WdSharedMemory dst = runtime.ReserveMemory(8192);

        for (ulong i = 1; i <= 3; i++)
        {
            Assert.Equal(CompletionStatus.InternalError, BrokerTestKit.Run(queue, BrokerTestKit.Compress(i, src, src.Length, dst)).Status);
            if (i == 2)
            {
                // Two faults are within the strategy: the device still starts queues.
                using BrokerConnection probe = BrokerTestKit.Connect(broker);
                BrokerResponse started = BrokerTestKit.Call(probe, BrokerOp.StartQueue, out Microsoft.Win32.SafeHandles.SafeFileHandle? ring, out _);
                ring?.Dispose();
                Assert.Equal(BrokerStatus.Ok, started.Status);
                Assert.Equal("0", broker.ReadAttribute("zip-0", "isolate"));
            }
        }

        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "isolate") == "1", TimeSpan.FromSeconds(1)), "isolate did not become 1 within 1 s of the third fault");
        var e = Assert.Throws<WdDeviceNotFoundException>(() => runtime.RequestQueue("gzip"));
        Assert.Contains("isolated", e.Message, StringComparison.Ordinal);
        using (BrokerConnection raw = BrokerTestKit.Connect(broker))
        {
            BrokerResponse refused = BrokerTestKit.Call(raw, BrokerOp.StartQueue, out _, out string? message);
            Assert.Equal(BrokerStatus.Isolated, refused.Status);
            output.WriteLine($"START_Q on the isolated device: {refused.Status}: {message}");
        }

        Assert.True(await broker.LoggedAsync("isolated after 3 device faults"), "no log line for the isolation");

        // The queue it had is disabled too: its owner is told why and can move on.
        Assert.True(await BrokerTestKit.EventuallyAsync(() => queue.State == QueueState.Disabled, TimeSpan.FromSeconds(1)), "the running queue was not disabled");
        Assert.Equal(QueueDisableReason.DeviceIsolated, queue.DisableReason);
    }

    [Fact]
    public async Task IsolateStrategyIsWritableAndTheBrokerUsesTheNewValue()
    {
        const string config = """{ "devices": [ { "name": "zip-0", "queues": 4, "fault_injection": 1, "isolate_strategy": 2 } ] }""";
        await using BrokerProcess broker = await BrokerProcess.StartAsync(config, output);
        string path = broker.AttributePath("zip-0", "isolate_strategy");
        Assert.Equal("2", broker.ReadAttribute("zip-0", "isolate_strategy"));
        Assert.Equal((UnixFileMode)Convert.ToInt32("644", 8), File.GetUnixFileMode(path));

        // Garbage is refused and the file shows the value in force again.
        await File.WriteAllTextAsync(path, "lots\n");
        Assert.True(await broker.LoggedAsync("ignoring isolate_strategy 'lots'"), "the broker did not reject 'lots'");
        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "isolate_strategy") == "2", TimeSpan.FromSeconds(1)));

        // An operator's `echo 5 >`: taken within a second.
        await File.WriteAllTextAsync(path, "5\n");
        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.Log.Contains("isolate_strategy 2 -> 5", StringComparison.Ordinal), TimeSpan.FromSeconds(1)), "the broker did not take isolate_strategy 5 within 1 s");

        // Republished since (available_instances changed): still 5, so the broker's own value is 5.
        using WdRuntime runtime = broker.CreateRuntime();
        using WdQueue queue = runtime.RequestQueue("gzip");
        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "3", TimeSpan.FromSeconds(1)));
        Assert.False(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "isolate_strategy") != "5", TimeSpan.FromMilliseconds(500)),
            "isolate_strategy went back: the broker republished its old value"); // two republish ticks at least

        // And it acts on it: 5 faults are tolerated (2 would have isolated at the third), the sixth isolates.
        using WdSharedMemory src = runtime.ReserveMemory(4096);
        using WdSharedMemory dst = runtime.ReserveMemory(8192);
        for (ulong i = 1; i <= 5; i++)
        {
            Assert.Equal(CompletionStatus.InternalError, BrokerTestKit.Run(queue, BrokerTestKit.Compress(i, src, src.Length, dst)).Status);
        }

        Assert.Equal(BrokerStatus.Ok, StartQueueStatus(broker));
        Assert.Equal(CompletionStatus.InternalError, BrokerTestKit.Run(queue, BrokerTestKit.Compress(6, src, src.Length, dst)).Status);
        Assert.Equal(BrokerStatus.Isolated, StartQueueStatus(broker));
        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "isolate") == "1", TimeSpan.FromSeconds(1)));
    }

    private static BrokerStatus StartQueueStatus(BrokerProcess broker)
    {
        using BrokerConnection raw = BrokerTestKit.Connect(broker);
        BrokerResponse response = BrokerTestKit.Call(raw, BrokerOp.StartQueue, out Microsoft.Win32.SafeHandles.SafeFileHandle? ring, out _);
        ring?.Dispose();
        return response.Status;
    }
}
