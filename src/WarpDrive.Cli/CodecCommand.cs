using System.CommandLine;
using System.IO.Compression;
using Spectre.Console;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Streams;

namespace WarpDrive.Cli;

/// <summary><c>wd compress|decompress [-a gzip|zlib|deflate|zstd|lz4] [-l N] [--max-output SIZE] [-o OUT|-] [--device NAME] [--mode M] [IN]</c>:
/// stdin to stdout when no file is named. <c>--max-output</c> (decompress) stops with a data error once the output would
/// pass SIZE (a decompression bomb). A named output is written to a temporary file beside it and renamed only on success,
/// so a failed run leaves no output file behind.</summary>
internal static class CodecCommand
{
    private const int ChunkSize = 1 << 20;
    private const long ProgressThreshold = 16L << 20;

    public static Command Create(CompressionMode mode)
    {
        bool compress = mode == CompressionMode.Compress;
        var algorithm = new Option<string>("--algorithm", "-a")
        {
            Description = "Format: gzip, zlib, deflate (raw), zstd or lz4 (the frame formats of the zstd and lz4 tools)",
            DefaultValueFactory = _ => "gzip",
        };
        algorithm.AcceptOnlyFromAmong("gzip", "zlib", "deflate", "zstd", "lz4");
        var level = new Option<int?>("--level", "-l")
        {
            Description = "Compression level: gzip, zlib, deflate 0-9 (default 6); zstd -128 to 22 (default 3, negative: faster); "
                + "lz4 -128 to 12 (default 1; 3-12 LZ4 HC, negative: faster)",
        };
        level.Validators.Add(r =>
        {
            // Only a number is checked here: reading a value that does not parse would throw (exit 134); the parser
            // reports that one itself. The algorithm's own range is checked by the command (below).
            if (r.Tokens is [var token] && int.TryParse(token.Value, System.Globalization.NumberStyles.Integer,
                    System.Globalization.CultureInfo.InvariantCulture, out int v) && v is < -128 or > 22)
            {
                r.AddError($"level must be -128 to 22, not {v}");
            }
        });
        var output = new Option<string?>("--output", "-o") { Description = "Output file (default: standard output)" };
        var maxOutput = new Option<string?>("--max-output")
        {
            Description = "Stop with a data error (exit 1, no output file) once the output would pass SIZE: 4096, 64K, 64M, 2G...",
        };
        maxOutput.Validators.Add(r =>
        {
            if (r.Tokens is [var token] && !ByteSize.TryParse(token.Value, 1, long.MaxValue, out _))
            {
                r.AddError($"--max-output must be a size such as 4096, 64K, 64M or 2G, not '{token.Value}'");
            }
        });
        var dictionary = new Option<string?>("--dictionary", "-D")
        {
            Description = "zstd: the dictionary FILE (zstd --train's output) both compression and decompression use, as zstd -D",
        };
        var input = new Argument<string?>("input") { Description = "Input file (default: standard input)", Arity = ArgumentArity.ZeroOrOne };

        var command = new Command(compress ? "compress" : "decompress",
            compress ? "Compress a file or standard input" : "Decompress a file or standard input")
        {
            algorithm, output, dictionary, input,
        };
        command.Validators.Add(r =>
        {
            if (r.GetResult(dictionary) is { Tokens.Count: > 0 } && (r.GetValue(algorithm) ?? "gzip") is var name && name != "zstd")
            {
                r.AddError($"--dictionary is for zstd, not {name}");
            }
        });
        if (compress)
        {
            command.Add(level);
            command.Validators.Add(r =>
            {
                if (r.GetResult(level) is { Tokens: [var token] } && int.TryParse(token.Value, System.Globalization.NumberStyles.Integer,
                        System.Globalization.CultureInfo.InvariantCulture, out int v)
                    && (r.GetValue(algorithm) ?? "gzip") is var name && LevelRange(name) is var (min, max) && (v < min || v > max))
                {
                    r.AddError($"{name} level must be {min} to {max}, not {v}");
                }
            });
        }
        else
        {
            command.Add(maxOutput);
        }

        var devices = new DeviceSelection(command);
        command.SetAction(parse => devices.Run(parse, runtime =>
            Run(mode, parse.GetValue(algorithm)!, parse.GetValue(level) ?? DefaultLevel(parse.GetValue(algorithm)!), parse.GetValue(maxOutput) is { } max && ByteSize.TryParse(max, out long limit) ? limit : null,
                parse.GetValue(output), parse.GetValue(input), parse.GetValue(dictionary), runtime)));
        return command;
    }

    private static int Run(CompressionMode mode, string algorithm, int level, long? maxOutput, string? outputPath, string? inputPath,
        string? dictionaryPath, WdRuntime runtime)
    {
        (inputPath, outputPath) = (FileJob.Named(inputPath), FileJob.Named(outputPath));
        if (mode == CompressionMode.Compress && outputPath is null && !Console.IsOutputRedirected)
        {
            return CliError.Usage("compressed data not written to a terminal (use -o FILE or redirect standard output)");
        }

        if (ReadDictionary(dictionaryPath, out byte[] dictionary) is { } failed)
        {
            return failed; // before any output file is made
        }

        return FileJob.Run(inputPath, outputPath, (source, sink) =>
        {
            long total = source.CanSeek ? source.Length : -1; // a named FIFO or /dev/stdin cannot tell
            if (total >= ProgressThreshold && !Console.IsErrorRedirected)
            {
                ProgressConsole().Progress().AutoClear(true).Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask(mode == CompressionMode.Compress ? "compress" : "decompress", maxValue: total);
                    _ = Transform(mode, algorithm, level, maxOutput, source, sink, runtime, done => task.Value = done, quiet: false, dictionary);
                });
            }
            else
            {
                _ = Transform(mode, algorithm, level, maxOutput, source, sink, runtime, null, quiet: false, dictionary);
            }
        });
    }

    /// <summary>Compresses or decompresses <paramref name="source"/> into <paramref name="sink"/>; returns the bytes
    /// of uncompressed data and of compressed data (header and trailer included) that went through. Unless
    /// <paramref name="quiet"/>, the first compression of the process says on stderr when it runs on the slow fallback.</summary>
    /// <remarks>Two buffers, so that the file I/O overlaps the compression, as igzip or gzip cannot: compressing, the
    /// thread pool reads the next block while this thread compresses one; decompressing, the pool writes one block's
    /// output while this thread decompresses the next. The output is the same bytes as a plain loop's.</remarks>
    internal static (long Uncompressed, long Compressed) Transform(CompressionMode mode, string algorithm, int level, long? maxOutput, Stream source, Stream sink,
        WdRuntime runtime, Action<long>? progress, bool quiet, ReadOnlyMemory<byte> dictionary = default)
    {
        byte[] filling = GC.AllocateUninitializedArray<byte>(ChunkSize), other = GC.AllocateUninitializedArray<byte>(ChunkSize);
        var options = new WdCompressionStreamOptions
        {
            Level = level, LeaveOpen = true, Runtime = runtime, MaxOutputLength = maxOutput,
            // Measured on 256 MiB (docs/PERFORMANCE.md): compressing, 1 MiB requests beat 64 KiB ones (0.77 vs 0.84 s);
            // decompressing, 64 KiB of input a request beats 1 MiB (0.48 vs 0.85 s: a large input inflates past the
            // caller's buffer and is resubmitted in parts).
            BlockSize = mode == CompressionMode.Compress ? ChunkSize : WdCompressionStreamOptions.DefaultBlockSize,
            Dictionary = dictionary,
        };
        if (mode == CompressionMode.Compress)
        {
            EngineNote.BeforeFirstCompression(runtime, quiet);
            WdCompressionStream z = Open(algorithm, sink, mode, options);
            long read;
            using (z)
            {
                read = Pump(block => source.Read(block, 0, block.Length), (block, n) => z.Write(block, 0, n), readAhead: true, filling, other,
                    done => progress?.Invoke(done));
            }

            return (read, z.CompressedBytes); // the trailer is written on Dispose
        }

        using (WdCompressionStream z = Open(algorithm, source, mode, options))
        {
            long written = Pump(block => z.Read(block, 0, block.Length), (block, n) => sink.Write(block, 0, n), readAhead: false, filling, other,
                _ => progress?.Invoke(source.CanSeek ? source.Position : 0));
            if (z.CompressedBytes == 0)
            {
                // The stream reads an empty input as no data (like GZipStream); a decompressor, like gzip -d, says so.
                throw new InvalidDataException("unexpected end of data (empty input)");
            }

            return (written, z.CompressedBytes);
        }
    }

    /// <summary>Reads the <c>-D</c> dictionary file, if one is named: null, or the exit code after a one-line error
    /// (a missing or unreadable file, one too long for a device).</summary>
    internal static int? ReadDictionary(string? path, out byte[] dictionary)
    {
        dictionary = [];
        if (path is null)
        {
            return null;
        }

        try
        {
            dictionary = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"wd: {path}: {CliError.SystemMessage(e)}");
            return ExitCodes.IoError;
        }

        return dictionary.Length is 0 or > CompressionSessionOptions.MaxDictionaryLength
            ? CliError.Usage($"{path}: a dictionary is 1 to {CompressionSessionOptions.MaxDictionaryLength} bytes, not {dictionary.Length}")
            : null;
    }

    /// <summary>The level a compression runs at when none is given: the default of the format's own tool.</summary>
    internal static int DefaultLevel(string algorithm) => algorithm switch
    {
        "zstd" => 3,
        "lz4" => 1,
        _ => 6,
    };

    /// <summary>The levels a format takes (its tool's range).</summary>
    internal static (int Min, int Max) LevelRange(string algorithm) => algorithm switch
    {
        "zstd" => (-128, 22),
        "lz4" => (-128, 12),
        _ => (0, 9),
    };

    /// <summary>Moves blocks from <paramref name="read"/> to <paramref name="write"/> until a read returns 0; returns the
    /// bytes moved. The side that is file I/O runs on the thread pool, one block ahead (<paramref name="readAhead"/>:
    /// the reads) or behind (the writes), while this thread runs the other side, the stream, which works inline on the
    /// in-process model: offloading it to the model's own thread as well measured slower (its waits cost CPU that the
    /// I/O thread needed).</summary>
    private static long Pump(Func<byte[], int> read, Action<byte[], int> write, bool readAhead, byte[] filling, byte[] other, Action<long> progress)
    {
        Task<int> reading = readAhead ? Task.Run(() => read(filling)) : Task.FromResult(read(filling));
        Task writing = Task.CompletedTask;
        long done = 0;
        try
        {
            int n;
            while ((n = reading.GetAwaiter().GetResult()) > 0)
            {
                writing.GetAwaiter().GetResult(); // the write behind, if any, is done with the other buffer
                byte[] full = filling, next = other;
                int length = n; // the closure below must not see the next read's count
                (filling, other) = (other, filling);
                if (readAhead)
                {
                    reading = Task.Run(() => read(next));
                    write(full, length);
                }
                else
                {
                    writing = Task.Run(() => write(full, length));
                    reading = Task.FromResult(read(next));
                }

                done += n;
                progress(done);
            }

            writing.GetAwaiter().GetResult();
            return done;
        }
        finally
        {
            // Hazard: a failure above may leave the pool's read or write still using a buffer or the output; it must end
            // before either is given up (a compressing stream's Dispose would write its trailer meanwhile). Its own
            // error, if any, was thrown already or echoes the one being thrown.
            Settle(reading);
            Settle(writing);
        }
    }

    /// <summary>Waits for <paramref name="task"/> without throwing: a failure elsewhere is already being thrown, and
    /// the work in flight must end before its buffers or its stream are given up.</summary>
    internal static void Settle(Task task)
    {
        try
        {
            task.Wait();
        }
        catch (AggregateException)
        {
        }
    }

    private static WdCompressionStream Open(string algorithm, Stream stream, CompressionMode mode, WdCompressionStreamOptions options) => algorithm switch
    {
        "zstd" => new WdZstdStream(stream, mode, options),
        "lz4" => new WdLz4Stream(stream, mode, options),
        "zlib" => new WdZLibStream(stream, mode, options),
        "deflate" => new WdDeflateStream(stream, mode, options),
        _ => new WdGZipStream(stream, mode, options),
    };

    private static IAnsiConsole ProgressConsole() =>
        AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
}
