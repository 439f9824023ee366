using System.Collections.Concurrent;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Scheduling;
using static WarpDrive.Tests.Scheduling.SchedulerTestKit;

namespace WarpDrive.Tests.Scheduling;

/// <summary>Backpressure, callbacks, batches and exactly-once completion of asynchronous requests.</summary>
public class AsyncCompletionTests
{
    private static readonly CompressionSessionOptions s_gzip = new() { Algorithm = CompressionAlgorithm.Gzip, Level = 1 };

    [Fact]
    public async Task AFullQueueSaysBusyOrMakesTheCallerWaitAndDropsNothing()
    {
        using WdRuntime runtime = Runtime(depth: 2, polling: false);
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { Contexts = [new ContextSpec(true, null, 1, -1)], AsyncPolling = false });
        using var session = new CompressionSession(s_gzip, runtime);
        byte[][] inputs = [.. Enumerable.Range(0, 4).Select(i => TestData.Text(5000, seed: i))];
        byte[][] outputs = [.. inputs.Select(i => new byte[CompressionSession.GetMaxCompressedLength(i.Length)])];
        var results = new ConcurrentDictionary<int, CompressionResult>();
        int calls = 0;
        CompressionCallback done = (in CompressionResult r, object? state) =>
        {
            Interlocked.Increment(ref calls);
            Assert.True(results.TryAdd((int)state!, r), "a request completed twice");
        };

        Assert.True(session.TrySubmit(inputs[0], outputs[0], done, 0));
        Assert.True(session.TrySubmit(inputs[1], outputs[1], done, 1));
        Assert.False(session.TrySubmit(inputs[2], outputs[2], done, 2)); // BUSY: both slots are in flight, nothing submitted

        // The awaitable form waits for a slot; nobody polls yet, so it cannot have gone in.
        Task submitted = session.SubmitAsync(inputs[2], outputs[2], done, 2).AsTask();
        ValueTask<CompressionResult> third = session.ProcessAsync(inputs[3], outputs[3]);
        await Task.Delay(50);
        Assert.False(submitted.IsCompleted);
        Assert.False(third.IsCompleted);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((Volatile.Read(ref calls) < 3 || !third.IsCompleted) && DateTime.UtcNow < deadline)
        {
            session.Poll();
            await Task.Yield();
        }

        await submitted;
        CompressionResult last = await third;
        Assert.Equal(3, calls);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(CompletionStatus.Ok, results[i].Status);
            Assert.Equal(inputs[i], Gunzip(outputs[i].AsSpan(0, results[i].Produced)));
        }

        Assert.Equal(inputs[3], Gunzip(outputs[3].AsSpan(0, last.Produced)));
    }

    [Fact]
    public async Task EveryRequestOfConcurrentSubmittersCompletesExactlyOnce()
    {
        const int threads = 4, perThread = 300;
        using WdRuntime runtime = Runtime(depth: 8);
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { Contexts = [new ContextSpec(true, null, 2, -1)], PollThreads = 2 });
        using var session = new CompressionSession(s_gzip, runtime);
        byte[][] inputs = [.. Enumerable.Range(0, 8).Select(i => TestData.Text(1000 + (i * 997), seed: i))];
        int[] completions = new int[threads * perThread];
        int ok = 0;
        using var all = new CountdownEvent(completions.Length);
        CompressionCallback done = (in CompressionResult r, object? state) =>
        {
            Interlocked.Increment(ref completions[(int)state!]);
            if (r.Status == CompletionStatus.Ok)
            {
                Interlocked.Increment(ref ok);
            }

            all.Signal();
        };

        Task[] submitters = [.. Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < perThread; i++)
            {
                int id = (t * perThread) + i;
                byte[] input = inputs[id % inputs.Length];
                byte[] output = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
                if (i % 2 == 0)
                {
                    await session.SubmitAsync(input, output, done, id); // waits for a slot
                }
                else
                {
                    while (!session.TrySubmit(input, output, done, id))
                    {
                        Thread.Yield(); // BUSY: try again
                    }
                }
            }
        }))];
        await Task.WhenAll(submitters);
        Assert.True(all.Wait(TimeSpan.FromSeconds(60)), $"{all.CurrentCount} requests never completed");
        Assert.All(completions, c => Assert.Equal(1, c));
        Assert.Equal(completions.Length, ok);

        // The ValueTask form under the same load.
        byte[] check = inputs[3];
        CompressionResult[] results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            byte[] output = new byte[CompressionSession.GetMaxCompressedLength(check.Length)];
            CompressionResult r = await session.ProcessAsync(check, output);
            Assert.Equal(check, Gunzip(output.AsSpan(0, r.Produced)));
            return r;
        }));
        Assert.All(results, r => Assert.Equal(CompletionStatus.Ok, r.Status));
    }

    [Fact]
    public void ABatchGoesInWithOneCallAndAsManyAsFitAndCompletesInBursts()
    {
        using WdRuntime runtime = Runtime(depth: 8, polling: false);
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { Contexts = [new ContextSpec(true, null, 1, -1)], AsyncPolling = false });
        using var session = new CompressionSession(s_gzip, runtime);
        byte[][] inputs = [.. Enumerable.Range(0, 12).Select(i => TestData.Text(3000, seed: i))];
        byte[][] outputs = [.. inputs.Select(i => new byte[CompressionSession.GetMaxCompressedLength(i.Length)])];
        CompressionRequest[] requests = [.. Enumerable.Range(0, 12).Select(i => new CompressionRequest(inputs[i], outputs[i], i))];
        var produced = new ConcurrentDictionary<int, int>();
        CompressionCallback done = (in CompressionResult r, object? state) => Assert.True(produced.TryAdd((int)state!, r.Produced));

        Assert.Equal(8, session.SubmitBatch(requests, done)); // the queue holds 8
        Assert.Equal(0, session.SubmitBatch(requests.AsSpan(8), done));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        int polled = 0;
        while (polled < 8 && DateTime.UtcNow < deadline)
        {
            polled += session.Poll();
        }

        Assert.Equal(8, polled);
        Assert.Equal(4, session.SubmitBatch(requests.AsSpan(8), done));
        while (produced.Count < 12 && DateTime.UtcNow < deadline)
        {
            session.Poll();
        }

        for (int i = 0; i < 12; i++)
        {
            Assert.Equal(inputs[i], Gunzip(outputs[i].AsSpan(0, produced[i])));
        }
    }

    [Fact]
    public void ASynchronousBatchLongerThanTheQueueReturnsEveryResultInOrder()
    {
        using WdRuntime runtime = Runtime(depth: 4);
        using var session = new CompressionSession(s_gzip, runtime);
        byte[][] inputs = [.. Enumerable.Range(0, 10).Select(i => TestData.Text(2000 + i, seed: i))];
        byte[][] outputs = [.. inputs.Select(i => new byte[CompressionSession.GetMaxCompressedLength(i.Length)])];
        CompressionRequest[] requests = [.. Enumerable.Range(0, 10).Select(i => new CompressionRequest(inputs[i], outputs[i]))];
        var results = new CompressionResult[10];
        session.ProcessBatch(requests, results);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(inputs[i], Gunzip(outputs[i].AsSpan(0, results[i].Produced)));
        }

        using var stream = new CompressionSession(s_gzip with { Mode = SessionMode.Stream }, runtime);
        Assert.Throws<InvalidOperationException>(() => stream.ProcessBatch(requests, results));
    }
}
