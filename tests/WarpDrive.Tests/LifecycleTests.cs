using System.Diagnostics;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Crypto;
using WarpDrive.Devices;

namespace WarpDrive.Tests;

/// <summary>Queues and contexts coming and going: wake-ups, release, disable, dispose.</summary>
public class LifecycleTests
{
    private static WdRuntime Runtime(bool backgroundPolling = true, int maxStreams = 32, int contexts = 2) => new(new WdRuntimeOptions
    {
        MixMode = false, // requests go to the device under test, not to Mix mode's inline one
        EmbeddedZipEngine = "zlib",
        BackgroundPolling = backgroundPolling,
        MaxContextsPerAlgorithm = contexts,
        EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions
        {
            QueueCount = 4, WorkerCount = 1, QueueDepth = 16, MaxStreamsPerQueue = maxStreams,
            // A lost wake-up would now cost 30 s, not 100 ms: the test below cannot pass by timeout.
            IdleSleepTimeout = TimeSpan.FromSeconds(30),
        },
    });

    [Fact]
    public void AnEmbeddedDeviceStartsWithTheFirstQueueOpenedOnItAndListingStartsNone()
    {
        using WdRuntime runtime = Runtime();
        WdDeviceInfo[] listed = [.. runtime.Devices];
        Assert.Equal(["zip-0", "sec-0", "hpre-0"], listed.Select(d => d.Name));
        // Listed before they start, as a started device with every queue free would be listed.
        Assert.All(listed, d => Assert.Equal("4", d.Attributes[DeviceAttributeNames.AvailableInstances]));
        Assert.All(listed, d => Assert.Equal("0", d.Attributes[DeviceAttributeNames.Isolate]));
        Assert.Equal("zlib", listed[0].Attributes["engine"]);
        Assert.All(listed, d => Assert.False(runtime.IsEmbeddedDeviceStarted(d.Name), d.Name));

        byte[] data = TestData.Random(1000, seed: 7), hash = new byte[32];
        using (var digest = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime))
        {
            digest.ComputeHash(data, hash);
        }

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(data), hash);
        // A digest starts sec-0 alone; its listing is now the started host's (the runtime keeps the queues it opened).
        Assert.Equal([false, true, false], listed.Select(d => runtime.IsEmbeddedDeviceStarted(d.Name)));
        WdDeviceInfo sec = runtime.Devices.Single(d => d.Name == "sec-0");
        Assert.True(int.Parse(sec.Attributes[DeviceAttributeNames.AvailableInstances], System.Globalization.CultureInfo.InvariantCulture) < 4);
    }

    [Fact]
    public void AFreshQueueIsServedWhileTheEngineSleeps()
    {
        using WdRuntime runtime = Runtime();
        using (WdQueue first = runtime.RequestQueue("gzip"))
        {
            Assert.True(first.TrySend(new Sqe { Opcode = Opcode.Nop }));
            first.Flush();
            Assert.True(first.TryReceive(out _, TimeSpan.FromSeconds(10)));
        }

        Thread.Sleep(300); // the engine has long stopped polling and sleeps
        using WdQueue fresh = runtime.RequestQueue("gzip");
        var sw = Stopwatch.StartNew();
        Assert.True(fresh.TrySend(new Sqe { UserData = 1, Opcode = Opcode.Nop }));
        fresh.Flush();
        Assert.True(fresh.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(20)), "no completion: the doorbell was lost");
        Assert.Equal(1UL, cqe.UserData);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}");
    }

    [Fact]
    public void AFullCompletionRingDoesNotPutTheEngineToSleep()
    {
        using WdRuntime runtime = Runtime();
        using WdQueue queue = runtime.RequestQueue("gzip");
        var nop = new Sqe { Opcode = Opcode.Nop };
        for (int round = 0; round < 3; round++)
        {
            // Fill the CQ, queue a second ring's worth of SQEs behind it, then free the CQ without a doorbell.
            for (int i = 0; i < queue.Depth; i++)
            {
                Assert.True(queue.TrySend(in nop));
            }

            queue.Flush();
            Thread.Sleep(50);
            for (int i = 0; i < queue.Depth; i++)
            {
                Assert.True(queue.TrySend(in nop));
            }

            queue.Flush();
            Thread.Sleep(50);
            var sw = Stopwatch.StartNew();
            for (int i = 0; i < 2 * queue.Depth; i++)
            {
                Assert.True(queue.TryReceive(out _, TimeSpan.FromSeconds(20)), "completions stopped");
            }

            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"took {sw.Elapsed}: the engine slept with work queued");
        }
    }

    [Fact]
    public async Task FailingRequestsOfADisabledQueueNeverRacesNewSubmissions()
    {
        using WdRuntime runtime = Runtime(backgroundPolling: false);
        using var session = new CompressionSession(new() { Level = 1 }, runtime);
        byte[] input = TestData.Text(1000), output = new byte[CompressionSession.GetMaxCompressedLength(1000)];
        Assert.Equal(CompletionStatus.Ok, session.Process(input, output).Status);
        DeviceHost host = runtime.FindEmbeddedHost("zip-0")!;
        // At least a second, and until a request was refused (on a loaded machine the threads below may get little CPU
        // in that second); at most 20 s. The two spinning threads are threads of their own: on the thread pool of a
        // 2-core machine they would hold both workers, and each await below would wait ~0.5 s for the pool to grow.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // Queues keep being disabled under the session (it fails over to fresh queues on the same device each time),
        // while requests are submitted and another thread polls: every request ends, exactly once, OK or refused.
        Task disabler = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                for (int id = 0; id < host.Options.QueueCount; id++)
                {
                    try
                    {
                        host.DisableQueue(id, QueueDisableReason.Operator);
                    }
                    catch (ArgumentOutOfRangeException)
                    {
                        // not in use
                    }
                }

                Thread.Sleep(1);
            }
        }, TaskCreationOptions.LongRunning);
        Task poller = Task.Factory.StartNew(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                session.Poll();
            }
        }, TaskCreationOptions.LongRunning);
        int refused = 0, ok = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                CompressionResult r = await session.ProcessAsync(input, output);
                Assert.Equal(CompletionStatus.Ok, r.Status);
                ok++;
            }
            catch (WdException)
            {
                refused++;
            }

            if (refused > 0 && clock.Elapsed > TimeSpan.FromSeconds(1))
            {
                await stop.CancelAsync();
            }
        }

        await poller;
        await disabler;
        Assert.True(refused > 0, $"{ok} completed, none refused");
    }

    [Fact]
    public void ADisposedQueueCannotTouchTheNextOwnersRing()
    {
        using WdRuntime runtime = Runtime();
        WdQueue old = runtime.RequestQueue("gzip");
        old.Dispose();
        using WdQueue next = runtime.RequestQueue("gzip");
        Assert.Throws<ObjectDisposedException>(() => old.TrySend(new Sqe { UserData = 0xdead, Opcode = Opcode.Nop }));
        Assert.Throws<ObjectDisposedException>(old.Flush);
        Assert.Throws<ObjectDisposedException>(() => old.TryReceive(out _));
        Assert.False(next.TryReceive(out _));
    }

    [Fact]
    public async Task DisposingTheRuntimeFailsAsyncRequestsInsteadOfHangingThem()
    {
        WdRuntime runtime = Runtime();
        byte[] input = TestData.Text(4 << 20);
        var session = new CompressionSession(new() { Level = 9 }, runtime);
        Task<CompressionResult>[] pending = Enumerable.Range(0, 4)
            .Select(_ => session.ProcessAsync(input, new byte[CompressionSession.GetMaxCompressedLength(input.Length)]).AsTask())
            .ToArray();
        runtime.Dispose();
        Task all = Task.WhenAll(pending);
        await Assert.ThrowsAnyAsync<Exception>(() => all.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.All(pending, t => Assert.True(t.IsCompleted));
        Assert.Contains(pending, t => t.IsFaulted && t.Exception!.InnerException is WdException);
    }

    [Fact]
    public async Task ManualPollingFailsRequestsOfADisabledQueue()
    {
        // One async context: the small request waits behind the big one on the same queue (on two queues the one engine
        // could take it between the two disables, and it would rightly complete).
        using WdRuntime runtime = Runtime(backgroundPolling: false, contexts: 1);
        byte[] big = TestData.Text(2 << 20), small = TestData.Text(1000);
        using var session = new CompressionSession(new() { Level = 9 }, runtime);
        ValueTask<CompressionResult> running = session.ProcessAsync(big, new byte[CompressionSession.GetMaxCompressedLength(big.Length)]);
        ValueTask<CompressionResult> queued = session.ProcessAsync(small, new byte[CompressionSession.GetMaxCompressedLength(small.Length)]);
        DeviceHost host = runtime.FindEmbeddedHost("zip-0")!;
        for (int id = 0; id < host.Options.QueueCount; id++)
        {
            // Disabling waits for the engine to finish the request it runs; the queued one is never executed.
            try
            {
                host.DisableQueue(id, QueueDisableReason.Operator);
            }
            catch (ArgumentOutOfRangeException)
            {
                // not in use
            }
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(running.IsCompleted && queued.IsCompleted) && DateTime.UtcNow < deadline)
        {
            session.Poll();
            await Task.Delay(1);
        }

        Assert.True(running.IsCompleted && queued.IsCompleted, "requests of a disabled queue hang");
        var e = await Assert.ThrowsAsync<WdException>(async () => await queued);
        Assert.Contains("disabled", e.Message);
    }

    [Fact]
    public void StreamSessionsUseFreeStreamContextsOnAnyQueue()
    {
        using WdRuntime runtime = Runtime(maxStreams: 2);
        var sessions = Enumerable.Range(0, 4).Select(_ => new CompressionSession(new() { Mode = SessionMode.Stream }, runtime)).ToList();
        var e = Assert.Throws<WdException>(() => new CompressionSession(new() { Mode = SessionMode.Stream }, runtime));
        Assert.Contains("no free stream context", e.Message);
        sessions[0].Dispose();
        sessions[1].Dispose();
        sessions.Add(new CompressionSession(new() { Mode = SessionMode.Stream }, runtime));
        sessions.Add(new CompressionSession(new() { Mode = SessionMode.Stream }, runtime));
        byte[] output = new byte[1000];
        foreach (CompressionSession s in sessions.Skip(2))
        {
            Assert.Equal(CompletionStatus.Ok, s.Process("hello"u8, output).Status);
            s.Dispose();
        }
    }
}
