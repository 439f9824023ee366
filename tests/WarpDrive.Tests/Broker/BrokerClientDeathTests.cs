using System.Diagnostics;
using WarpDrive.Tests.Reliability;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>A client that dies without a word (SIGKILL) gives everything back at once, and nobody else notices.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerClientDeathTests(ITestOutputHelper output)
{
    private static readonly TimeSpan s_releaseBudget = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task SigkillOfAClientMidStreamReturnsItsQueuesWithin100MsWhileAnotherClientKeepsWorking()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""{ "devices": [ { "name": "zip-0", "queues": 4, "reserved_queues": 0 } ] }""", output);
        string available = broker.AttributePath("zip-0", "available_instances");
        string Available() => File.ReadAllText(available).TrimEnd('\n');

        // The holder: two queues of its own plus the queue of a stream session with a request done (mid-stream).
        await using ChildProcess holder = broker.StartTestClient("hold", "2");
        Assert.Equal("ready", await holder.ReadLineAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await BrokerTestKit.EventuallyAsync(() => Available() == "1", TimeSpan.FromSeconds(1)), $"available_instances is {Available()} with 3 queues held, not 1");

        // The survivor: this process, one queue, checked round trips all along.
        using WdRuntime runtime = broker.CreateRuntime(maxCompressionContexts: 1);
        await using var survivor = WellBehavedClient.Start(runtime);
        Assert.True(await survivor.AdvancesAsync(5, TimeSpan.FromSeconds(10)), "no round trips before the kill");
        Assert.True(await BrokerTestKit.EventuallyAsync(() => Available() == "0", TimeSpan.FromSeconds(1)), $"available_instances is {Available()} with every queue held, not 0");

        long roundsAtKill = survivor.Rounds;
        long killedAt = Stopwatch.GetTimestamp();
        holder.Signal(NativeTestMethods.SIGKILL);
        TimeSpan latency = TimeSpan.MaxValue, stall = TimeSpan.Zero;
        string last = "";
        long previous = killedAt;
        while (Stopwatch.GetElapsedTime(killedAt) < TimeSpan.FromSeconds(3))
        {
            last = Available();
            if (last == "3")
            {
                latency = Stopwatch.GetElapsedTime(killedAt);
                break;
            }

            Thread.Sleep(1);
            // How long this 1 ms poll took: on a loaded machine (the suite under stress-ng) this thread waits for a CPU,
            // and the broker's threads wait as long; the budget allows twice the longest such wait.
            long now = Stopwatch.GetTimestamp();
            stall = TimeSpan.FromTicks(Math.Max(stall.Ticks, Stopwatch.GetElapsedTime(previous, now).Ticks));
            previous = now;
        }

        TimeSpan budget = s_releaseBudget + (2 * stall);

        output.WriteLine(latency == TimeSpan.MaxValue
            ? $"available_instances still {last} 3 s after SIGKILL"
            : $"available_instances back to 3 (4 minus the survivor's queue) {latency.TotalMilliseconds:F1} ms after SIGKILL");
        Assert.True(latency <= budget,
            $"the killed client's 3 queues came back after {(latency == TimeSpan.MaxValue ? "more than 3000" : latency.TotalMilliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture))} ms (budget {budget.TotalMilliseconds:F1} ms: {s_releaseBudget.TotalMilliseconds} + twice the longest 1 ms poll, {stall.TotalMilliseconds:F1} ms); last read {last}");
        Assert.Equal(137, await holder.WaitForExitAsync(TimeSpan.FromSeconds(10))); // 128 + SIGKILL

        // The survivor went on through the kill and after it.
        Assert.True(await survivor.AdvancesAsync(5, TimeSpan.FromSeconds(10)), "no round trips after the kill");
        await survivor.StopAsync(); // rethrows the first failed round trip, if any
        output.WriteLine($"survivor: {roundsAtKill} round trips before the kill, {survivor.Rounds} in all, every one checked");

        runtime.Dispose();
        Assert.True(await BrokerTestKit.EventuallyAsync(() => Available() == "4", TimeSpan.FromSeconds(1)), $"available_instances is {Available()} once every client is gone, not 4");
    }
}
