using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>A client process of the soak: a broker-mode runtime (<c>WD_RUN_DIR</c>) and six workers of mixed load
/// (<see cref="BlockCompressionWorker"/>, <see cref="StreamWorker"/>, <see cref="CallbackWorker"/>,
/// <see cref="CryptoWorker"/>, <see cref="SharedMemoryWorker"/>, <see cref="QueueChurnWorker"/>) for <see cref="ClientOptions.Seconds"/> or until its
/// stdin closes. Every 2 s it prints <c>stats &lt;counts&gt;</c>; at the end it waits (at most 30 s) for every request
/// to end, prints <c>final &lt;counts&gt;</c> (open requests then are lost) and exits 0, or 3 if a worker failed outside
/// a request.</summary>
internal static class LoadClient
{
    private static readonly TimeSpan s_drainLimit = TimeSpan.FromSeconds(30), s_reportEvery = TimeSpan.FromSeconds(2);

    public static int Run(ClientOptions options)
    {
        var ledger = new RequestLedger();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(options.Seconds));
        var stdin = new Thread(() =>
        {
            try
            {
                Console.In.ReadToEnd();
                stop.Cancel();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // the client is ending anyway
            }
        }) { IsBackground = true, Name = "stdin" };
        stdin.Start();

        bool failed = false;
        using (var runtime = new WdRuntime(new WdRuntimeOptions
        {
            Mode = WdDeviceMode.Broker,
            BrokerRunDirectory = Environment.GetEnvironmentVariable(WarpDrive.Platform.RunDirectory.EnvironmentVariable),
        }))
        {
            int seed = options.Seed * 8;
            LoadWorker[] workers =
            [
                new BlockCompressionWorker(runtime, ledger, seed),
                new StreamWorker(runtime, ledger, seed + 1),
                new CallbackWorker(runtime, ledger, seed + 2),
                new CryptoWorker(runtime, ledger, seed + 3),
                new SharedMemoryWorker(runtime, ledger, seed + 4),
                new QueueChurnWorker(runtime, ledger, seed + 5),
            ];
            Task[] tasks = [.. workers.Select(w => Task.Factory.StartNew(() => w.RunAsync(stop.Token), TaskCreationOptions.LongRunning).Unwrap())];
            Task all = Task.WhenAll(tasks);
            while (!all.Wait(s_reportEvery))
            {
                Console.WriteLine($"stats {ledger.Snapshot().ToLine()}");
            }

            foreach (Task task in tasks.Where(t => t.IsFaulted))
            {
                failed = true;
                Console.Error.WriteLine($"{options.Name}: a worker failed: {task.Exception!.InnerException}");
            }

            if (!ledger.WaitUntilDrained(s_drainLimit))
            {
                foreach (string operation in ledger.OpenOperations)
                {
                    Console.Error.WriteLine($"{options.Name}: LOST (never completed): {operation}");
                }
            }

            Console.WriteLine($"final {ledger.Snapshot().ToLine()}");
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{options.Name}: done after {options.Seconds:F0} s"));
        return failed ? 3 : 0;
    }
}
