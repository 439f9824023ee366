using SharpFuzz;
using WarpDrive.Abi;
using WarpDrive.Compression;

namespace WarpDrive.Fuzz;

/// <summary><c>WarpDrive.Fuzz deflate|zlib|gzip|zstd|lz4</c>: the AFL++ target (SharpFuzz's fork server; AFL++ feeds
/// inputs). <c>WarpDrive.Fuzz gzip --replay FILE...</c>: runs plain compressed files outside AFL++ (both values of the
/// control bit, three splits each) and prints each outcome. <c>--crash FILE...</c>: runs AFL++ inputs (control bytes
/// first) as they are. (a failed check is an exception with a stack trace and exit code 1).</summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        if (args.Length == 0 || Create(args[0]) is not { } factory)
        {
            Console.Error.WriteLine("usage: WarpDrive.Fuzz deflate|zlib|gzip|zstd|lz4 [--replay CORPUS-FILE... | --crash AFL-INPUT...]");
            return 2;
        }

        if (args.Length > 1 && args[1] == "--crash")
        {
            using IFuzzTarget target = factory();
            foreach (string file in args.Skip(2))
            {
                Console.WriteLine($"{file}: {target.Run(File.ReadAllBytes(file))}"); // an AFL++ input, control bytes first
            }

            return 0;
        }

        if (args.Length > 1 && args[1] == "--replay")
        {
            using IFuzzTarget target = factory();
            foreach (string file in args.Skip(2))
            {
                // A corpus file is plain compressed data: run it with both values of the control bit (the deflate
                // targets' engine) and several splits and buffer sizes.
                byte[] data = File.ReadAllBytes(file);
                byte[] input = new byte[data.Length + 3];
                data.CopyTo(input, 3);
                Outcome outcome = default;
                foreach (byte engine in (byte[])[0, 1])
                {
                    foreach ((byte piece, byte chunk) in ((byte, byte)[])[(0, 0), (12, 3), (255, 255)])
                    {
                        (input[0], input[1], input[2]) = (engine, piece, chunk);
                        try
                        {
                            outcome = target.Run(input);
                        }
                        catch (Exception e)
                        {
                            throw new InvalidOperationException($"{file}, control bytes {engine} {piece} {chunk}: {e.Message}", e);
                        }
                    }
                }

                Console.WriteLine($"{file}: {outcome}");
            }

            return 0;
        }

        // Instrumented code may run only once SharpFuzz has attached AFL++'s coverage map, inside Run: the target
        // (runtime or devices, sessions) is made by the first case.
        IFuzzTarget? fuzzed = null;
        Fuzzer.OutOfProcess.Run(stream =>
        {
            fuzzed ??= factory();
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            fuzzed.Run(copy.GetBuffer().AsSpan(0, (int)copy.Length));
        });
        return 0;
    }

    /// <summary>What makes the target named <paramref name="name"/>; null for an unknown name.</summary>
    private static Func<IFuzzTarget>? Create(string name) => name switch
    {
        "deflate" => () => new DecompressionTarget(CompressionAlgorithm.Deflate),
        "zlib" => () => new DecompressionTarget(CompressionAlgorithm.Zlib),
        "gzip" => () => new DecompressionTarget(CompressionAlgorithm.Gzip),
        "zstd" => () => new FrameTarget(CompAlgorithm.Zstd),
        "lz4" => () => new FrameTarget(CompAlgorithm.Lz4),
        _ => null,
    };
}
