using BenchmarkDotNet.Running;
using WarpDrive.Benchmarks;

// dotnet run -c Release --project bench/WarpDrive.Benchmarks -- --filter '*'     BenchmarkDotNet suites
// dotnet run -c Release --project bench/WarpDrive.Benchmarks -- latency         per-request latency percentiles
// dotnet run -c Release --project bench/WarpDrive.Benchmarks -- broker RUN_DIR  broker vs in-process vs direct (needs wdd)
// dotnet run -c Release --project bench/WarpDrive.Benchmarks -- crypto [RUN_DIR] [gcm|sha|rsa|ecdsa...]
//                                                                   crypto through the queue vs direct (issue 4)
// See docs/PERFORMANCE.md for the exact commands and figures.
if (args.Length > 0 && args[0] == "latency")
{
    return LatencyProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
}

if (args.Length > 1 && args[0] == "broker")
{
    return BrokerProbe.Run(args[1], args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200_000);
}

if (args.Length > 0 && args[0] == "crypto")
{
    string? runDirectory = args.Skip(1).FirstOrDefault(Directory.Exists);
    return CryptoProbe.Run(runDirectory, [.. args.Skip(1).Where(a => a != runDirectory)]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
