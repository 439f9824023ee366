using WarpDrive.Cli.Bench;

namespace WarpDrive.Tests.Stress;

/// <summary><c>wd bench</c>'s asynchronous loop, run in this process many times over with short runs and shallow
/// depths: each of its waits must end, however the completions race the submitting thread's look at them. Before the
/// fix its wait target could pass the number of requests in flight (when every request completed between the look at
/// the oldest and the count), and the submitter slept for good: 3 of 35 runs of a 2 s benchmark hung.</summary>
[Trait(Tiers.Name, Tiers.Reliability)]
[Collection(StressCollection.Name)]
public sealed class BenchLoopStressTests
{
    [Theory]
    [InlineData("deflate", true)]
    [InlineData("aes-128-gcm", false)]
    public void EveryWaitOfTheAsyncLoopEnds(string alg, bool decompress)
    {
        TimeSpan budget = StressSettings.Budget(TimeSpan.FromSeconds(25));
        int runs = 0;
        long requests = 0;
        StallWatchdog.Run($"wd bench's async loop ({alg})", budget + TimeSpan.FromSeconds(60), () =>
        {
            long until = Environment.TickCount64 + (long)budget.TotalMilliseconds;
            int[] depths = [1, 2, 3, 4, 32];
            while (Environment.TickCount64 < until)
            {
                var settings = new BenchSettings
                {
                    Algorithm = BenchAlgorithm.ByName[alg],
                    Decompress = decompress,
                    Mode = BenchMode.Local,
                    Async = true,
                    Depth = depths[runs % depths.Length],
                    PacketLength = 4096,
                    Seconds = 0.2,
                };
                BenchResult result = BenchRun.Run(settings, new BenchInput(settings), null, null, CancellationToken.None);
                Assert.True(result.Requests > 0);
                requests += result.Requests;
                runs++;
            }
        }, () => $"{runs} runs finished, {requests} requests");
        Assert.True(runs > 5, $"only {runs} runs in {budget}");
    }
}
