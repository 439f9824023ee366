using System.CommandLine;
using System.Globalization;

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
        var noName = new Option<bool>("--no-name", "-n") { Description = "Do not save the original name and time in the header (wd never does)" };
        var suffix = new Option<string>("--suffix", "-S") { Description = "Suffix of compressed files", DefaultValueFactory = _ => ".gz" };
        suffix.Validators.Add(r =>
        {
            if (r.Tokens is [var token] && (token.Value.Length == 0 || token.Value.Contains('/')))
            {
                r.AddError($"invalid suffix '{token.Value}'");
            }
        });
        var command = new Command(gunzip ? "gunzip" : "gzip",
            gunzip ? "Decompress files as gunzip does, on a ZIP device" : "Compress files as gzip does, on a ZIP device")
        {
            noName, suffix,
        };
        var common = new CompressorOptions(command,
            "Overwrite existing outputs; follow symbolic links; compress files that already have the suffix; write compressed data to a terminal",
            "Keep (do not delete) the input files");
        var levels = new LevelOptions(command, 1, 9, level => level switch { 1 => ["--fast"], 9 => ["--best"], _ => [] },
            level => level switch { 1 => "Compress faster", 9 => "Compress better", _ => $"Level {level}" }, fastWithValue: false);
        var devices = new DeviceSelection(command);
        command.SetAction(parse =>
        {
            bool testing = parse.GetValue(common.Test);
            var settings = new Settings(
                Decompress: gunzip || parse.GetValue(common.Decompress) || testing,
                ToStdout: parse.GetValue(common.Stdout) || testing,
                Force: parse.GetValue(common.Force),
                Keep: parse.GetValue(common.Keep),
                Test: testing,
                Quiet: parse.GetValue(common.Quiet),
                Verbose: parse.GetValue(common.Verbose) && !parse.GetValue(common.Quiet),
                Level: levels.Last(parse, DefaultLevel),
                Suffix: parse.GetValue(suffix)!);
            return devices.Run(parse, runtime => Run(settings, common.FilesOrStdin(parse), runtime));
        });
        return command;
    }

    private static int Run(Settings settings, string[] files, WdRuntime runtime)
    {
        var codec = new FileCodec(new FileCodec.Settings("gzip", settings.Decompress, settings.Level, default, settings.Test, settings.Force,
            settings.Quiet, Warning, "\t"), runtime);
        return FileCodec.Each(files, file => file == "-" ? Pipe(settings, codec) : One(settings, file, codec));
    }

    /// <summary>Standard input to standard output.</summary>
    private static int Pipe(Settings settings, FileCodec codec)
    {
        if (FileCodec.RefuseTerminal(!settings.Force && !settings.Decompress, !settings.Force && settings.Decompress,
                "compressed data not written to a terminal. Use -f to force compression.",
                "compressed data not read from a terminal. Use -f to force decompression.") is { } refused)
        {
            return refused;
        }

        (int code, long uncompressed, long compressed) = codec.Convert([null], null, removeInputs: false);
        if (code == ExitCodes.Ok && settings.Verbose)
        {
            Console.Error.WriteLine(settings.Test ? " OK" : Ratio((uncompressed, compressed), GzipTrailerLength + 10));
        }

        return code;
    }

    private static int One(Settings settings, string file, FileCodec codec)
    {
        if (settings.Decompress && !File.Exists(file) && !Directory.Exists(file)
            && Suffixes(settings).Select(s => file + s).FirstOrDefault(File.Exists) is { } withSuffix)
        {
            file = withSuffix; // gunzip x reads x.gz
        }

        // gzip opens with O_NOFOLLOW
        if (codec.CheckInput(file, ("Too many levels of symbolic links", IsError: true), followLinks: settings.ToStdout) is { } refused)
        {
            return refused;
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
                    _ = codec.Warn($"{file} already has {found} suffix -- unchanged");
                    return ExitCodes.Ok; // gzip 1.12 says so and goes on without a warning's exit code
                }

                output = file + settings.Suffix;
            }
            else if (found is null)
            {
                return codec.Warn($"{file}: unknown suffix -- ignored");
            }
            else
            {
                output = file[..^found.Length] + (found is ".tgz" or ".taz" ? ".tar" : "");
            }

            if (codec.CheckOutput(file, output) is { } exists)
            {
                return exists;
            }
        }

        int header = settings.Decompress ? GzipHeaderLength(file) : 10;
        (int code, long uncompressed, long compressed) = codec.Convert([file], output, removeInputs: output is not null && !settings.Keep);
        if (code == ExitCodes.Ok && settings.Verbose)
        {
            string done = settings.Test ? " OK" : Ratio((uncompressed, compressed), header + GzipTrailerLength)
                + $" -- {(output is null || settings.Keep ? "created" : "replaced with")} {output ?? "stdout"}";
            Console.Error.WriteLine($"{file}:\t{done}");
        }

        return code;
    }

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
}
