using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO.Compression;

namespace WarpDrive.Cli;

/// <summary><c>wd gzip|gunzip [-cdfkqtv] [-1..-9] [-S SUF] [FILE...]</c>: gzip's command line on a WarpDrive device.
/// Each FILE becomes FILE.gz (or back), keeping its mode and times, and is removed once its output is in place (not
/// with <c>-k</c>, <c>-c</c> or <c>-t</c>); an existing output is not overwritten without <c>-f</c>; no FILE, or
/// <c>-</c>, is standard input to standard output. gzip's exit codes: 0 ok, 1 error, 2 warning (an error wins);
/// an unknown option is wd's usage error (2). Outputs go through <see cref="FileJob"/>, so that a failed file
/// leaves its input and no partial output.</summary>
internal static class GzipCommand
{
    private const int Warning = 2;
    private const int DefaultLevel = 6;
    private const int GzipTrailerLength = 8;

    // gzip's suffixes (get_suffix): after the one -S names, these are recognised when decompressing.
    private static readonly string[] s_knownSuffixes = [".gz", ".z", "-gz", "-z", "_z", ".tgz", ".taz"];

    private sealed record Settings(bool Decompress, bool ToStdout, bool Force, bool Keep, bool Test, bool Quiet, bool Verbose, int Level, string Suffix);

    public static Command Create(bool gunzip)
    {
        var stdout = new Option<bool>("--stdout", "-c", "--to-stdout") { Description = "Write on standard output; keep the input files" };
        var decompress = new Option<bool>("--decompress", "-d", "--uncompress") { Description = "Decompress" };
        var force = new Option<bool>("--force", "-f")
        {
            Description = "Overwrite existing outputs; follow symbolic links; compress files that already have the suffix; write compressed data to a terminal",
        };
        var keep = new Option<bool>("--keep", "-k") { Description = "Keep (do not delete) the input files" };
        var test = new Option<bool>("--test", "-t") { Description = "Test the integrity of compressed files; write nothing" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Suppress all warnings" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Name each file and its compression ratio" };
        var noName = new Option<bool>("--no-name", "-n") { Description = "Do not save the original name and time in the header (wd never does)" };
        var suffix = new Option<string>("--suffix", "-S") { Description = "Suffix of compressed files", DefaultValueFactory = _ => ".gz" };
        suffix.Validators.Add(r =>
        {
            if (r.Tokens is [var token] && (token.Value.Length == 0 || token.Value.Contains('/')))
            {
                r.AddError($"invalid suffix '{token.Value}'");
            }
        });
        var levels = new Option<bool>[9];
        for (int i = 0; i < levels.Length; i++)
        {
            string[] aliases = i switch { 0 => ["--fast"], 8 => ["--best"], _ => [] };
            levels[i] = new Option<bool>($"-{i + 1}", aliases) { Description = i switch { 0 => "Compress faster", 8 => "Compress better", _ => $"Level {i + 1}" } };
        }

        var files = new Argument<string[]>("files") { Description = "Files (default, or -: standard input to standard output)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command(gunzip ? "gunzip" : "gzip",
            gunzip ? "Decompress files as gunzip does, on a ZIP device" : "Compress files as gzip does, on a ZIP device")
        {
            stdout, decompress, force, keep, test, quiet, verbose, noName, suffix, files,
        };
        foreach (Option<bool> level in levels)
        {
            command.Add(level);
        }

        var devices = new DeviceSelection(command);
        command.SetAction(parse =>
        {
            bool testing = parse.GetValue(test);
            var settings = new Settings(
                Decompress: gunzip || parse.GetValue(decompress) || testing,
                ToStdout: parse.GetValue(stdout) || testing,
                Force: parse.GetValue(force),
                Keep: parse.GetValue(keep),
                Test: testing,
                Quiet: parse.GetValue(quiet),
                Verbose: parse.GetValue(verbose) && !parse.GetValue(quiet),
                Level: LastLevel(parse, levels),
                Suffix: parse.GetValue(suffix)!);
            return devices.Run(parse, runtime => Run(settings, parse.GetValue(files) is { Length: > 0 } named ? named : ["-"], runtime));
        });
        return command;
    }

    /// <summary>The level of the last of <c>-1</c>..<c>-9</c> on the line (gzip: the last one counts).</summary>
    private static int LastLevel(ParseResult parse, Option<bool>[] levels)
    {
        int level = DefaultLevel;
        foreach (Token token in parse.Tokens)
        {
            int index = token.Type == TokenType.Option ? Array.FindIndex(levels, o => o.Name == token.Value || o.Aliases.Contains(token.Value)) : -1;
            if (index >= 0)
            {
                level = index + 1;
            }
        }

        return level;
    }

    private static int Run(Settings settings, string[] files, WdRuntime runtime)
    {
        int status = ExitCodes.Ok;
        foreach (string file in files)
        {
            int code = file == "-" ? Pipe(settings, runtime) : One(settings, file, runtime);
            status = code == ExitCodes.DataError || status == ExitCodes.DataError ? ExitCodes.DataError : Math.Max(status, code);
        }

        return status;
    }

    /// <summary>Standard input to standard output.</summary>
    private static int Pipe(Settings settings, WdRuntime runtime)
    {
        if (!settings.Force && !settings.Decompress && !Console.IsOutputRedirected)
        {
            return Error("compressed data not written to a terminal. Use -f to force compression.");
        }

        if (!settings.Force && settings.Decompress && !Console.IsInputRedirected)
        {
            return Error("compressed data not read from a terminal. Use -f to force decompression.");
        }

        (long Uncompressed, long Compressed) sizes = default;
        int code = FileJob.Run(null, null, (source, sink) => sizes = Transform(settings, source, sink, runtime), static (subject, e) => Translate(subject, e));
        if (code == ExitCodes.Ok && settings.Verbose)
        {
            Console.Error.WriteLine(settings.Test ? " OK" : Ratio(sizes, GzipTrailerLength + 10));
        }

        return code;
    }

    private static int One(Settings settings, string file, WdRuntime runtime)
    {
        if (settings.Decompress && !File.Exists(file) && !Directory.Exists(file)
            && Suffixes(settings).Select(s => file + s).FirstOrDefault(File.Exists) is { } withSuffix)
        {
            file = withSuffix; // gunzip x reads x.gz
        }

        if (Directory.Exists(file))
        {
            return Warn(settings, $"{file} is a directory -- ignored");
        }

        var info = new FileInfo(file);
        if (info.LinkTarget is not null && !settings.Force && !settings.ToStdout)
        {
            return Error($"{file}: Too many levels of symbolic links"); // gzip opens with O_NOFOLLOW
        }

        if (!File.Exists(file))
        {
            return Error($"{file}: No such file or directory");
        }

        string? output = null;
        if (!settings.ToStdout)
        {
            string? found = Suffixes(settings).FirstOrDefault(s => file.Length > s.Length && file.EndsWith(s, StringComparison.Ordinal)
                && file[^(s.Length + 1)] != '/');
            if (!settings.Decompress)
            {
                if (found is not null && !settings.Force)
                {
                    _ = Warn(settings, $"{file} already has {found} suffix -- unchanged");
                    return ExitCodes.Ok; // gzip 1.12 says so and goes on without a warning's exit code

                }

                output = file + settings.Suffix;
            }
            else if (found is null)
            {
                return Warn(settings, $"{file}: unknown suffix -- ignored");
            }
            else
            {
                output = file[..^found.Length] + (found is ".tgz" or ".taz" ? ".tar" : "");
            }

            if (File.Exists(output) || Directory.Exists(output))
            {
                if (!settings.Force || Directory.Exists(output))
                {
                    return Warn(settings, $"{output} already exists;\tnot overwritten");
                }

                if (FileJob.SameFile(file, output))
                {
                    return Error($"{file}: the output would replace the input");
                }
            }
        }

        PendingOutput.FileAttributesToKeep keep = PendingOutput.FileAttributesToKeep.Of(file); // before reading moves the access time
        int header = settings.Decompress ? GzipHeaderLength(file) : 10;
        (long Uncompressed, long Compressed) sizes = default;
        int code = FileJob.Run(file, output, (source, sink) => sizes = Transform(settings, source, sink, runtime), static (subject, e) => Translate(subject, e), keep);
        if (code != ExitCodes.Ok)
        {
            return code;
        }

        if (output is not null && !settings.Keep)
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Translate(file, e);
            }
        }

        if (settings.Verbose)
        {
            string done = settings.Test ? " OK" : Ratio(sizes, header + GzipTrailerLength)
                + $" -- {(output is null || settings.Keep ? "created" : "replaced with")} {output ?? "stdout"}";
            Console.Error.WriteLine($"{file}:\t{done}");
        }

        return ExitCodes.Ok;
    }

    private static (long Uncompressed, long Compressed) Transform(Settings settings, Stream source, Stream sink, WdRuntime runtime) =>
        CodecCommand.Transform(settings.Decompress ? CompressionMode.Decompress : CompressionMode.Compress, "gzip", settings.Level, null, source,
            settings.Test ? Stream.Null : sink, runtime, null, settings.Quiet);

    private static string[] Suffixes(Settings settings) => s_knownSuffixes.Contains(settings.Suffix) ? s_knownSuffixes : [settings.Suffix, .. s_knownSuffixes];

    /// <summary>gzip's ratio (display_ratio): the share of the uncompressed size saved, counting the compressed data
    /// without its header and trailer.</summary>
    private static string Ratio((long Uncompressed, long Compressed) sizes, int headerAndTrailer)
    {
        long saved = sizes.Uncompressed - (sizes.Compressed - headerAndTrailer);
        double ratio = sizes.Uncompressed == 0 ? 0 : 100.0 * saved / sizes.Uncompressed;
        return string.Format(CultureInfo.InvariantCulture, "{0,5:F1}%", ratio);
    }

    /// <summary>The length of the first gzip member's header in <paramref name="path"/> (RFC 1952: 10 bytes, then the
    /// optional extra field, name, comment and header CRC); 10 when it cannot tell.</summary>
    private static int GzipHeaderLength(string path)
    {
        const int Fhcrc = 2, Fextra = 4, Fname = 8, Fcomment = 16;
        try
        {
            using FileStream stream = InputFile.Open(path);
            Span<byte> fixedPart = stackalloc byte[10];
            if (InputFile.ReadFull(stream, fixedPart) < 10)
            {
                return 10;
            }

            int flags = fixedPart[3];
            if ((flags & Fextra) != 0)
            {
                int low = stream.ReadByte(), high = stream.ReadByte();
                stream.Seek(low | (high << 8), SeekOrigin.Current);
            }

            foreach (int flag in (int[])[Fname, Fcomment])
            {
                if ((flags & flag) != 0)
                {
                    int b;
                    while ((b = stream.ReadByte()) > 0)
                    {
                    }
                }
            }

            return (int)Math.Min(stream.Position + ((flags & Fhcrc) != 0 ? 2 : 0), int.MaxValue);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 10;
        }
    }

    private static int Translate(string subject, Exception error)
    {
        return Error($"{(subject == "(stdin)" ? "stdin" : subject)}: {CliError.SystemMessage(error)}");
    }

    private static int Error(string message)
    {
        Console.Error.WriteLine($"wd: {message}");
        return ExitCodes.DataError; // gzip's "error" (1)
    }

    private static int Warn(Settings settings, string message)
    {
        if (!settings.Quiet)
        {
            Console.Error.WriteLine($"wd: {message}");
        }

        return Warning;
    }
}
