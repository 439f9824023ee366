using WarpDrive.Abi;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Tests.Scheduling;

/// <summary>The library's polling thread across the life of its contexts.</summary>
public sealed class AsyncPollerTests
{
    /// <summary>A poller whose contexts all went away (a broker restart closes them) serves the next one with the same
    /// thread: it used to start its thread again and throw ThreadStateException.</summary>
    [Fact]
    public async Task APollerWhoseContextsAllClosedServesANewOne()
    {
        using WdRuntime runtime = SchedulerTestKit.Runtime();
        using var poller = new AsyncPoller("wd-poll-test");
        for (int round = 0; round < 3; round++)
        {
            var context = new WdContext(runtime.RequestQueue("gzip"), poller);
            try
            {
                RequestSlot slot = context.Rent();
                slot.Prepare(isAsync: true, session: null, last: true, mapper: (in Cqe cqe) => (int)cqe.Status);
                var sqe = new Sqe { UserData = slot.Tag, Opcode = Opcode.Nop };
                context.Submit(slot, in sqe);
                var completion = new ValueTask<int>(slot, slot.Version);
                Task<int> done = completion.AsTask();
                Assert.Same(done, await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(10))));
                Assert.Equal((int)CompletionStatus.Ok, await done);
            }
            finally
            {
                context.Dispose();
            }
        }
    }

    /// <summary>The count of contexts goes 0 -> 4 -> 0 -> 4 ... with the four opened and closed concurrently each round
    /// (a broker restart while several sessions reconnect at once): every request completes, the poller starts one
    /// thread in all, and it wakes from its untimed idle sleep for each round's first context.</summary>
    [Fact]
    public async Task ContextsThatComeAndGoConcurrentlyNeverStartASecondThread()
    {
        using WdRuntime runtime = SchedulerTestKit.Runtime();
        using var poller = new AsyncPoller("wd-poll-test");
        for (int round = 0; round < 25; round++)
        {
            Assert.Equal(0, poller.ContextCount);
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => OneRequestOnANewContext(runtime, poller))));
            Assert.Equal(1, poller.ThreadStarts);
        }

        Assert.Equal(0, poller.ContextCount);
    }

    /// <summary>Disposed while asleep with no contexts (its untimed sleep), the poller's thread ends at once; a context
    /// added after Dispose starts no thread.</summary>
    [Fact]
    public async Task APollerWithoutContextsStopsWhenDisposedAndNeverStartsAfter()
    {
        using WdRuntime runtime = SchedulerTestKit.Runtime();
        var poller = new AsyncPoller("wd-poll-test");
        await OneRequestOnANewContext(runtime, poller);
        Assert.Equal(0, poller.ContextCount);
        await Task.Delay(50); // lets it reach the idle sleep (the test holds either way)
        Task disposed = Task.Run(poller.Dispose);
        Assert.Same(disposed, await Task.WhenAny(disposed, Task.Delay(TimeSpan.FromSeconds(30))));

        using var late = new AsyncPoller("wd-poll-late");
        late.Dispose();
        var context = new WdContext(runtime.RequestQueue("gzip"), late);
        context.Dispose();
        Assert.Equal(0, late.ThreadStarts);
    }

    private static async Task OneRequestOnANewContext(WdRuntime runtime, AsyncPoller poller)
    {
        var context = new WdContext(runtime.RequestQueue("gzip"), poller);
        try
        {
            RequestSlot slot = context.Rent();
            slot.Prepare(isAsync: true, session: null, last: true, mapper: (in Cqe cqe) => (int)cqe.Status);
            var sqe = new Sqe { UserData = slot.Tag, Opcode = Opcode.Nop };
            context.Submit(slot, in sqe);
            Task<int> done = new ValueTask<int>(slot, slot.Version).AsTask();
            Assert.Same(done, await Task.WhenAny(done, Task.Delay(TimeSpan.FromSeconds(30))));
            Assert.Equal((int)CompletionStatus.Ok, await done);
        }
        finally
        {
            context.Dispose();
        }
    }
}
