using System.Diagnostics;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Reliability;

/// <summary>Clients that die at any moment, and a broker that goes away under its clients and comes back.</summary>
[Trait(Tiers.Name, Tiers.Reliability)]
[Collection(BrokerProcessCollection.Name)]
public sealed class CrashTests(ITestOutputHelper output)
{
    private const int Kills = 200;
    private const int Batch = 8;

    [Fact]
    public async Task TwoHundredClientsKilledAtRandomMomentsGiveBackEveryQueueRegionAndAccount()
    {
        // The per-user caps are tight, so that anything the broker failed to give back would be refused at the end
        // (reserved_queues 0: at the end this one uid takes every queue of both devices).
        await using BrokerProcess broker = await BrokerProcess.StartAsync("""
            { "devices": [ { "name": "zip-0", "queues": 16, "reserved_queues": 0 }, { "name": "sec-0", "model": "sec", "queues": 8, "workers": 1, "reserved_queues": 0 } ],
              "limits": { "max_queues_per_user": 24, "max_shared_bytes_per_user": "64MiB" } }
            """, output);
        int fdsBefore = broker.FdCount();
        var random = new Random(61);
        int early = 0, late = 0;
        var clock = Stopwatch.StartNew();
        for (int done = 0; done < Kills; done += Batch)
        {
            ChildProcess[] clients = [.. Enumerable.Range(0, Batch).Select(_ => broker.StartTestClient("churn"))];
            try
            {
                // A quarter die while still starting (before or while connecting), the rest after 0-400 ms of work.
                await Task.WhenAll(clients.Select(async client =>
                {
                    int delay;
                    bool starting;
                    lock (random)
                    {
                        starting = random.Next(4) == 0;
                        delay = starting ? random.Next(0, 150) : random.Next(0, 400);
                    }

                    if (!starting)
                    {
                        Assert.Equal("started", await client.ReadLineAsync(TimeSpan.FromSeconds(60)));
                    }

                    await Task.Delay(delay);
                    if (client.HasExited)
                    {
                        Assert.Fail($"a churn client ended by itself ({client.ExitCode}): {client.Stderr}");
                    }

                    client.Signal(NativeTestMethods.SIGKILL);
                    Assert.Equal(137, await client.WaitForExitAsync(TimeSpan.FromSeconds(30)));
                    if (starting)
                    {
                        Interlocked.Increment(ref early);
                    }
                    else
                    {
                        Interlocked.Increment(ref late);
                    }
                }));
            }
            finally
            {
                foreach (ChildProcess client in clients)
                {
                    await client.DisposeAsync();
                }
            }
        }

        TimeSpan elapsed = clock.Elapsed;
        Assert.True(await BrokerTestKit.EventuallyAsync(() => Settled(broker), TimeSpan.FromSeconds(5)),
            $"after {Kills} kills: zip-0 {broker.ReadAttribute("zip-0", "available_instances")}/16 and sec-0 {broker.ReadAttribute("sec-0", "available_instances")}/8 queues free, {broker.MappedRegions()} wd regions mapped in the broker");
        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.FdCount() <= fdsBefore + 2, TimeSpan.FromSeconds(5)), $"broker fds {fdsBefore} -> {broker.FdCount()}");
        output.WriteLine($"{Kills} clients SIGKILLed in {elapsed.TotalSeconds:F1} s ({early} while starting, {late} while working); broker fds {fdsBefore} -> {broker.FdCount()}");

        // The accounts are whole again: this uid can take the full queue and memory caps.
        using WdRuntime runtime = broker.CreateRuntime();
        var queues = new List<WdQueue>();
        try
        {
            for (int i = 0; i < 16; i++)
            {
                queues.Add(runtime.RequestQueue("gzip"));
            }

            for (int i = 0; i < 8; i++)
            {
                queues.Add(runtime.RequestQueue("cipher"));
            }

            using WdSharedMemory memory = runtime.ReserveMemory(60 << 20);
            memory.GetSpan().Fill(1);
        }
        finally
        {
            queues.ForEach(q => q.Dispose());
        }

        Assert.True(broker.IsAlive);
        Assert.DoesNotContain("Unhandled", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientsWorkThroughABrokerStopAndABrokerKillAndEveryRequestEndsExactlyOnce()
    {
        const string Config = """{ "devices": [ { "name": "zip-0", "queues": 8 } ] }""";
        BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        string runDirectory = broker.RunDirectory;
        ChildProcess[] clients = [.. Enumerable.Range(0, 3).Select(_ => ChildProcess.Start(runDirectory, "WarpDrive.TestClient.dll", ["resilient"]))];
        try
        {
            foreach (ChildProcess client in clients)
            {
                Assert.Equal("ready", await client.ReadLineAsync(TimeSpan.FromSeconds(60)));
            }

            // 1: the broker stops (SIGTERM: it tells its clients, BrokerExit); 2: it is killed (SIGKILL: no word, its pid
            // file and sockets left behind). Each time a new one starts on the same directory and the clients go on.
            foreach (bool kill in new[] { false, true })
            {
                await Task.Delay(300);
                if (kill)
                {
                    broker.Kill();
                }

                broker.KeepRunDirectory = true;
                await broker.DisposeAsync();
                await ExpectErrorsAsync(clients);
                broker = await BrokerProcess.StartAsync(Config, output, runDirectory: runDirectory);
                await ExpectRecoveryAsync(clients);
            }

            await Task.Delay(300);
            foreach (ChildProcess client in clients)
            {
                client.CloseStdin();
            }

            foreach (ChildProcess client in clients)
            {
                Assert.True(await client.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, $"resilient client: {client.Stderr}");
                string books = await client.ReadLineAsync(TimeSpan.FromSeconds(5));
                output.WriteLine($"client {client.Pid}: {books}");
                Dictionary<string, long> counts = HostileClientTests.Books(books);
                Assert.Equal(counts["submitted"], counts["ok"] + counts["failed"]); // none lost, none twice
                Assert.Equal(0, counts["wrong"]);
                Assert.True(counts["failed"] >= 2 && counts["reopened"] >= 2, books);
                Assert.True(counts["ok"] > 100, books);
            }
        }
        finally
        {
            foreach (ChildProcess client in clients)
            {
                await client.DisposeAsync();
            }

            await broker.DisposeAsync();
        }
    }

    private static async Task ExpectErrorsAsync(ChildProcess[] clients)
    {
        foreach (ChildProcess client in clients)
        {
            string line = await client.ReadLineAsync(TimeSpan.FromSeconds(30));
            Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        }
    }

    private static async Task ExpectRecoveryAsync(ChildProcess[] clients)
    {
        foreach (ChildProcess client in clients)
        {
            Assert.Equal("recovered", await client.ReadLineAsync(TimeSpan.FromSeconds(60)));
        }
    }

    private static bool Settled(BrokerProcess broker) =>
        broker.ReadAttribute("zip-0", "available_instances") == "16" && broker.ReadAttribute("sec-0", "available_instances") == "8"
        && broker.MappedRegions() == 0;
}
