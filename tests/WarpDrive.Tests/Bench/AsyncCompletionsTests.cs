using WarpDrive.Cli.Bench;

namespace WarpDrive.Tests.Bench;

/// <summary>The wait of <c>wd bench</c>'s asynchronous loop: it must never wait for more completions than there are
/// requests in flight, whatever completes between its looks (the hang of issue 16).</summary>
public sealed class AsyncCompletionsTests
{
    [Fact]
    public void TheTargetIsNeverPastTheRequestsInFlightAndAlwaysPastWhatWasSeen()
    {
        for (int inFlight = 1; inFlight <= 8; inFlight++)
        {
            for (int batch = 1; batch <= 9; batch++)
            {
                const long finished = 1000;
                // seen runs up to every request completed: the case where they all completed between the look at the
                // count and the look at the oldest request.
                for (long seen = finished; seen <= finished + inFlight; seen++)
                {
                    long target = AsyncCompletions.Target(seen, finished, inFlight, batch);
                    Assert.True(target <= finished + inFlight, $"seen {seen}, {inFlight} in flight, batch {batch}: waits for {target}");
                    if (seen < finished + inFlight)
                    {
                        Assert.True(target > seen, $"seen {seen}, {inFlight} in flight, batch {batch}: waits for nothing ({target})");
                    }
                }
            }
        }
    }

    [Fact]
    public void AWaitForTheOldestRequestWakesOnItsCompletionAndNotBefore()
    {
        const int depth = 4;
        using var completions = new AsyncCompletions(depth);
        for (int slot = 1; slot < depth; slot++)
        {
            completions.Complete(slot); // all but the oldest
        }

        Thread wait = Waiter(() => completions.WaitForNext(head: 0, finished: 0, inFlight: depth, batch: depth));
        Assert.False(wait.Join(200), "returned before the oldest request completed");
        completions.Complete(0);
        Assert.True(wait.Join(10_000), "did not wake on the last completion");
    }

    [Fact]
    public void ABatchWaitWakesWhenTheBatchIsIn()
    {
        const int depth = 8;
        using var completions = new AsyncCompletions(depth);
        Thread wait = Waiter(() => completions.WaitForNext(head: 0, finished: 0, inFlight: depth, batch: 3));
        completions.Complete(5);
        completions.Complete(6);
        Assert.False(wait.Join(200), "woke before three completions");
        completions.Complete(7);
        Assert.True(wait.Join(10_000), "did not wake after three completions");
    }

    private static Thread Waiter(Action wait)
    {
        var thread = new Thread(() => wait()) { IsBackground = true };
        thread.Start();
        return thread;
    }
}
