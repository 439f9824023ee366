using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>The soak itself: starts a real <c>wdd</c> (<see cref="SoakBroker"/>), samples it idle, keeps
/// <see cref="SoakOptions.Clients"/> client processes running for <see cref="SoakOptions.Duration"/> (each runs 30 to
/// 90 s and is replaced; about one replacement in four is killed with SIGKILL part-way instead), samples the broker's
/// fds, RSS and threads every <see cref="SoakOptions.SampleSeconds"/>, samples it idle again once the last client is
/// gone, stops it with SIGTERM, and decides. Exit code 0: flat, nothing lost, no error, no mismatch, every client
/// ended as it should, the broker exited 0; 1 otherwise.</summary>
internal static class Supervisor
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(10), s_stopLimit = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(SoakOptions options)
    {
        Directory.CreateDirectory(options.OutputDirectory);
        using var clientLog = TextWriter.Synchronized(new StreamWriter(Path.Combine(options.OutputDirectory, "clients.log")) { AutoFlush = true });
        var samples = new List<BrokerSample>();
        var live = new ConcurrentDictionary<int, ClientProcess>();
        var totals = new SoakTotals();
        var checks = new List<SoakCheck>();

        Console.WriteLine(I($"soak: {options.Clients} clients for {options.Minutes} min (warm-up {options.WarmUp.TotalSeconds:F0} s), a sample every {options.SampleSeconds} s; output in {options.OutputDirectory}"));
        using SoakBroker broker = await SoakBroker.StartAsync(options.OutputDirectory);
        Console.WriteLine(I($"wdd {broker.Pid} on {broker.RunDirectory}"));
        var clock = Stopwatch.StartNew();
        double startAt = s_settle.TotalSeconds; // clients start after the broker has idled this long
        string Phase(double t) => t < 0 ? "idle-start" : t < options.WarmUp.TotalSeconds ? "warm-up" : t <= options.Duration.TotalSeconds ? "measured" : "draining";
        long Done() => totals.Done + live.Values.Sum(c => c.Last.Done);
        bool brokerDied = false;
        void Sample(string? phase = null)
        {
            if (!broker.IsAlive)
            {
                brokerDied = true;
                return;
            }

            double t = clock.Elapsed.TotalSeconds - startAt;
            BrokerSample s = BrokerSample.Read(broker.Pid, t, phase ?? Phase(t), live.Count, Done());
            samples.Add(s);
            Console.WriteLine(I($"t={s.Seconds,6:F0} s  {s.Phase,-10}  fds {s.Fds,4}  RSS {s.RssKiB / 1024.0,7:F1} MiB  threads {s.Threads,3}  clients {s.Clients}  done {s.Done}"));
        }

        while (clock.Elapsed.TotalSeconds < startAt)
        {
            Sample();
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        int fdsBefore = FdListing.Write(broker.Pid, Path.Combine(options.OutputDirectory, "fds-idle-start.txt"));
        DateTime deadline = DateTime.UtcNow + options.Duration;
        Task slots = Task.WhenAll(Enumerable.Range(0, options.Clients).Select(slot =>
            RunSlotAsync(slot, deadline, broker.RunDirectory, live, totals, clientLog)));
        while (!slots.IsCompleted && !brokerDied)
        {
            Sample();
            await Task.WhenAny(slots, Task.Delay(TimeSpan.FromSeconds(options.SampleSeconds)));
        }

        if (brokerDied)
        {
            checks.Add(new("broker alive", false, "wdd died under load; see wdd.log"));
            foreach (ClientProcess client in live.Values)
            {
                client.CloseStdin();
            }
        }

        await slots;
        await Task.Delay(s_settle); // closed connections are cleaned up, idle pool threads may retire
        for (int i = 0; i < 3 && !brokerDied; i++)
        {
            Sample("idle-end");
            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        int fdsAfter = brokerDied ? -1 : FdListing.Write(broker.Pid, Path.Combine(options.OutputDirectory, "fds-idle-end.txt"));

        int? exit = await broker.StopAsync(s_stopLimit);
        if (!brokerDied)
        {
            checks.AddRange(FlatnessCheck.Evaluate(samples, fdsBefore, fdsAfter));
        }

        checks.Add(new("requests lost", totals.Lost == 0, I($"{totals.Lost} lost of {totals.Graceful.Submitted} submitted by the clients that ran to their end")));
        LedgerCounts all = totals.Graceful + totals.Killed;
        checks.Add(new("requests failed or wrong", all.Errors + all.Mismatches + all.Duplicates == 0,
            I($"{all.Errors} errors, {all.Mismatches} mismatches, {all.Duplicates} duplicate completions (see clients.log)")));
        checks.Add(new("requests done", totals.Done > 0, I($"{totals.Done} done")));
        checks.Add(new("client processes", totals.Failures.Count == 0,
            I($"{totals.ClientsEnded} ran to their end, {totals.ClientsKilled} killed on purpose, {totals.Failures.Count} failed")));
        checks.Add(new("broker stops on SIGTERM with exit code 0", exit == 0, exit is { } code ? I($"exit code {code}") : "still running 30 s after SIGTERM: killed"));
        bool passed = checks.All(c => c.Passed);
        SoakReport.Write(options, samples, totals, checks, passed);
        return passed ? 0 : 1;
    }

    /// <summary>Keeps one client running until <paramref name="deadline"/>: each runs 30 to 90 s (no client starts with
    /// less than 10 s left); from the second on, about one in four is killed with SIGKILL 3 s or more into its life.</summary>
    private static async Task RunSlotAsync(int slot, DateTime deadline, string runDirectory, ConcurrentDictionary<int, ClientProcess> live,
        SoakTotals totals, TextWriter log)
    {
        var random = new Random((slot * 7919) + 17);
        for (int generation = 1; ; generation++)
        {
            double remaining = (deadline - DateTime.UtcNow).TotalSeconds;
            if (remaining < 10)
            {
                return;
            }

            double lifetime = Math.Min(remaining, random.Next(30, 91));
            bool kill = generation > 1 && lifetime > 10 && random.Next(4) == 0;
            string name = I($"c{slot}.{generation}");
            using ClientProcess client = ClientProcess.Start(runDirectory, name, lifetime, (slot * 1000) + generation, log);
            live[client.Pid] = client;
            try
            {
                if (kill)
                {
                    await Task.Delay(TimeSpan.FromSeconds(3 + (random.NextDouble() * (lifetime - 5))));
                    client.Kill();
                    await client.WaitForExitAsync(s_stopLimit);
                    totals.AddKilled(client.Last);
                    log.WriteLine(I($"{name} [{client.Pid}]: killed with SIGKILL; last report {client.Last.ToLine()}"));
                }
                else if (!await client.WaitForExitAsync(TimeSpan.FromSeconds(lifetime + 90)))
                {
                    totals.AddFailure(I($"{name} [{client.Pid}] still ran {lifetime + 90:F0} s after it started (hung): killed"));
                }
                else if (client.Final is not { } final)
                {
                    totals.AddFailure(I($"{name} [{client.Pid}] exited with {client.ExitCode} without its final counts"));
                }
                else
                {
                    totals.AddEnded(final);
                    if (client.ExitCode != 0)
                    {
                        totals.AddFailure(I($"{name} [{client.Pid}] exited with {client.ExitCode} (a worker failed; see clients.log)"));
                    }
                }
            }
            finally
            {
                live.TryRemove(client.Pid, out _);
            }
        }
    }

    private static string I(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
