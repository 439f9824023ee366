using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Scheduling;
using static WarpDrive.Tests.Scheduling.SchedulerTestKit;

namespace WarpDrive.Tests.Scheduling;

/// <summary>Mix mode's inline contexts when threads share them: every request completes before its submit call
/// returns, and a callback's exception does not give a slot back twice.</summary>
public class InlineCompletionTests
{
    private static readonly CompressionSessionOptions s_gzip = new() { Algorithm = CompressionAlgorithm.Gzip, Level = 1 };

    [Fact]
    public void ThreadsSharingAnInlineContextEachGetTheirOwnCompletionBeforeSubmitReturns()
    {
        using WdRuntime runtime = Runtime();
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { InlineThreshold = 1 << 20 });
        byte[] input = TestData.Text(300);
        int threads = 3 * Math.Max(Environment.ProcessorCount, 2); // more threads than inline queues: they share them
        int notDone = 0, wrong = 0;
        using var start = new Barrier(threads);
        Thread[] workers = [.. Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            using var session = new CompressionSession(s_gzip, runtime);
            byte[] output = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
            start.SignalAndWait();
            for (int i = 0; i < 3000; i++)
            {
                ValueTask<CompressionResult> pending = session.ProcessAsync(input, output);
                if (!pending.IsCompleted)
                {
                    Interlocked.Increment(ref notDone);
                    // Left in the ring, nobody reaps it on an inline context: do not wait forever.
                    if (!pending.AsTask().Wait(TimeSpan.FromSeconds(5)))
                    {
                        Interlocked.Increment(ref wrong);
                        return;
                    }

                    continue;
                }

                CompressionResult r = pending.Result;
                if (r.Status != CompletionStatus.Ok)
                {
                    Interlocked.Increment(ref wrong);
                }
            }
        }))];
        foreach (Thread t in workers)
        {
            t.Start();
        }

        foreach (Thread t in workers)
        {
            t.Join();
        }

        Assert.Equal(0, wrong);
        Assert.Equal(0, notDone);
    }

    [Fact]
    public void ACallbackThatThrowsInsideAnInlineSubmitGivesItsSlotBackOnce()
    {
        using WdRuntime runtime = Runtime();
        runtime.Initialize(AlgorithmLibrary.Comp, new LibraryOptions { InlineThreshold = 1 << 20 });
        using var session = new CompressionSession(s_gzip, runtime);
        byte[] input = TestData.Text(300);
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
        int calls = 0;
        CompressionCallback throwing = (in CompressionResult r, object? state) =>
        {
            Interlocked.Increment(ref calls);
            throw new InvalidOperationException("callback failed");
        };

        // The callback ran inside TrySubmit (the request was submitted and completed); its exception escapes from there.
        Assert.Throws<InvalidOperationException>(() => session.TrySubmit(input, output, throwing));
        Assert.Equal(1, calls);

        // Every slot of the context is still there exactly once: a full depth of requests completes, none shares a slot.
        int ok = 0;
        CompressionCallback counting = (in CompressionResult r, object? state) =>
        {
            if (r.Status == CompletionStatus.Ok)
            {
                Interlocked.Increment(ref ok);
            }
        };
        for (int i = 0; i < 200; i++)
        {
            Assert.True(session.TrySubmit(input, output, counting));
        }

        Assert.Equal(200, ok);
        Assert.Equal(input, Gunzip(Compress(session, input)));
    }
}
