using WarpDrive.Scheduling;

namespace WarpDrive.Cli.Bench;

/// <summary>One measured run: builds the runtime the mode asks for (in-process devices, the broker, Mix mode inline,
/// no queue at all, the socket server), one worker per thread, runs them and frees everything again.</summary>
internal static class BenchRun
{
    public static BenchResult Run(BenchSettings settings, BenchInput input, string? brokerRunDirectory, string? socketPath, CancellationToken stop)
    {
        BenchMode mode = settings.Mode;
        if (mode is BenchMode.Direct or BenchMode.Socket)
        {
            settings = settings with { Async = false }; // a direct call and a socket round trip are synchronous
        }

        WdRuntime? runtime = mode is BenchMode.Direct or BenchMode.Socket ? null : CreateRuntime(settings, brokerRunDirectory);
        var workers = new List<BenchWorker>();
        try
        {
            if (runtime is not null && settings.Algorithm.Kind != BenchAlgorithmKind.Nop)
            {
                runtime.Initialize(settings.Algorithm.Library, new LibraryOptions
                {
                    Contexts = [new ContextSpec(Async: settings.Async, Operation: null, Count: settings.Contexts, NumaNode: -1)],
                    InlineThreshold = mode switch { BenchMode.Inline => int.MaxValue, BenchMode.Mix => null, _ => 0 },
                });
            }

            if (settings.Algorithm.Kind == BenchAlgorithmKind.Nop)
            {
                AddNopWorkers(settings, runtime!, workers);
            }
            else
            {
                for (int i = 0; i < settings.Threads; i++)
                {
                    workers.Add(CreateWorker(settings, input, runtime, socketPath));
                }
            }

            BenchResult result = BenchRunner.Run(settings, BenchModes.Name(mode), workers, stop);
            if (runtime is null || settings.Algorithm.Kind == BenchAlgorithmKind.Nop)
            {
                return result; // direct, socket: no queue; nop: raw queues
            }

            WdRequestPaths paths = runtime.GetRequestPaths(settings.Algorithm.Library); // the warm-up's requests took the same paths
            return result with { InlineRequests = paths.Inline, QueuedRequests = paths.Queued };
        }
        catch (BenchStalledException)
        {
            // Hazard: threads still wait inside these sessions; freeing them under those threads could hang too. The
            // process is about to exit: leave them.
            workers.Clear();
            runtime = null;
            throw;
        }
        finally
        {
            foreach (BenchWorker worker in workers)
            {
                worker.Dispose();
            }

            runtime?.Dispose();
        }
    }

    private static WdRuntime CreateRuntime(BenchSettings settings, string? brokerRunDirectory)
    {
        if (BenchModes.IsBroker(settings.Mode))
        {
            return new WdRuntime(new WdRuntimeOptions
            {
                Mode = WdDeviceMode.Broker,
                BrokerRunDirectory = brokerRunDirectory,
            });
        }

        int queues = Math.Max(16, (settings.Threads * settings.Contexts) + 4);
        int depth = (int)Math.Min(4096, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(256, settings.Depth)));
        WdRuntimeOptions environment = WdRuntimeOptions.FromEnvironment();
        return new WdRuntime(new WdRuntimeOptions
        {
            Mode = WdDeviceMode.Local,
            EmbeddedZipEngine = environment.EmbeddedZipEngine,
            EmbeddedDeviceOptions = settings.Workers is { } n
                ? new WdEmbeddedDeviceOptions { QueueCount = queues, QueueDepth = depth, WorkerCount = n }
                : new WdEmbeddedDeviceOptions { QueueCount = queues, QueueDepth = depth },
        });
    }

    private static BenchWorker CreateWorker(BenchSettings settings, BenchInput input, WdRuntime? runtime, string? socketPath)
    {
        if (settings.Mode == BenchMode.Direct)
        {
            return new DirectWorker(input);
        }

        if (settings.Mode == BenchMode.Socket)
        {
            return new SocketWorker(input, socketPath!);
        }

        WdRuntime? share = settings.Mode == BenchMode.BrokerShare ? runtime : null;
        int depth = settings.InFlight;
        return settings.Algorithm.Kind switch
        {
            BenchAlgorithmKind.Compression => new CompressionWorker(input, runtime!, share, depth),
            BenchAlgorithmKind.Sha256 => new DigestWorker(input, runtime!, share, depth),
            BenchAlgorithmKind.AesGcm => new AeadWorker(input, runtime!, share, depth),
            BenchAlgorithmKind.AesCbc => new CipherWorker(input, runtime!, share, depth),
            _ => new RsaWorker(input, runtime!, share, depth),
        };
    }

    private static void AddNopWorkers(BenchSettings settings, WdRuntime runtime, List<BenchWorker> workers)
    {
        // --ctxnum queues in all (at least one per thread); thread t submits to queues t, t + threads, ...
        int total = Math.Max(settings.Contexts, settings.Threads);
        var perThread = Enumerable.Range(0, settings.Threads).Select(_ => new List<WdQueue>()).ToArray();
        try
        {
            for (int q = 0; q < total; q++)
            {
                perThread[q % settings.Threads].Add(runtime.RequestQueue(settings.Algorithm.QueueAlgorithm));
            }
        }
        catch
        {
            foreach (WdQueue queue in perThread.SelectMany(l => l))
            {
                queue.Dispose();
            }

            throw;
        }

        foreach (List<WdQueue> queues in perThread)
        {
            workers.Add(new NopWorker([.. queues], settings.InFlight));
        }
    }
}
