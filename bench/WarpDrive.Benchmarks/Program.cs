using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/WarpDrive.Benchmarks -- --filter '*'   (see docs/PERFORMANCE.md)
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
