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
    public async Task A_poller_whose_contexts_all_closed_serves_a_new_one()
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
}
