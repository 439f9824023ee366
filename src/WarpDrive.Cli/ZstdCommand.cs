using System.CommandLine;
using System.Globalization;

namespace WarpDrive.Cli;

/// <summary><c>wd zstd|unzstd|zstdcat [-cdfkqtv] [--rm] [-#] [--ultra -20..-22] [--fast[=N]] [-D DICT] [-o FILE] [FILE...]</c>:
/// the zstd tool's command line on a WarpDrive device. Each FILE becomes FILE.zst (or back: .zst stripped, .tzst
/// made .tar) beside it with its mode and times; the input stays unless <c>--rm</c> (not with <c>-c</c>); an
/// existing output is not overwritten without <c>-f</c>; <c>-o FILE</c> names the one output (several files go into
/// it one after the other, with <c>-f</c>); no FILE, or <c>-</c>, is standard input to standard output, refused
/// when compressed data would go to a terminal (not with <c>-c</c> or <c>-f</c>) or any data come from one. zstd's
/// exit codes: 0 ok, 1 for any file that failed or was skipped; an unknown option is wd's usage error (2).</summary>
internal static class ZstdCommand
{
    private const int DefaultLevel = 3;
    private const int MaxLevel = 19;

    // zstd skips a symbolic link without -f, with a warning
    private static readonly (string, bool) s_symbolicLink = ("is a symbolic link -- ignored (use -f to follow it)", false);

    private sealed record Settings(bool ToStdout, bool Remove, bool Verbose, string? Output);

    /// <summary>The command: <c>zstd</c>, <c>unzstd</c> (always <c>-d</c>) or <c>zstdcat</c> (always <c>-dc</c>).</summary>
    public static Command Create(string name)
    {
        bool decompressOnly = name is "unzstd" or "zstdcat", cat = name == "zstdcat";
        var command = new Command(name, name switch
        {
            "unzstd" => "Decompress files as unzstd (zstd -d) does, on a ZIP device",
            "zstdcat" => "Decompress files to standard output as zstdcat (zstd -dc) does, on a ZIP device",
            _ => "Compress or decompress files as zstd does, on a ZIP device",
        });
        var common = new CompressorOptions(command,
            "Overwrite existing outputs; follow symbolic links; read from or write to a terminal",
            "Keep the input files (the default)");
        var compress = new Option<bool>("--compress", "-z") { Description = "Compress (the default)" };
        var remove = new Option<bool>("--rm") { Description = "Remove each input once its output is in place (not with -c)" };
        var output = new Option<string?>("-o") { Description = "The one output FILE (- : standard output)" };
        var ultra = new Option<bool>("--ultra") { Description = "Allow levels -20 to -22" };
        var dictionary = new Option<string?>("-D") { Description = "The dictionary FILE (zstd --train's output), compressing and decompressing" };
        foreach (Option option in (Option[])[compress, remove, output, ultra, dictionary])
        {
            command.Add(option);
        }

        var levels = new LevelOptions(command, 1, 22, _ => [],
            level => level switch { 1 => "Levels -1 (faster) to -19 (smaller); default 3", 20 => "Levels -20 to -22 with --ultra", _ => null },
            fastWithValue: true);
        var devices = new DeviceSelection(command);
        command.SetAction(parse =>
        {
            bool test = parse.GetValue(common.Test), quiet = parse.GetValue(common.Quiet);
            int level = levels.Last(parse, DefaultLevel);
            if (level > MaxLevel && !parse.GetValue(ultra))
            {
                if (!quiet)
                {
                    Console.Error.WriteLine($"wd: Warning : compression level higher than max, reduced to {MaxLevel}");
                }

                level = MaxLevel;
            }

            if (CodecCommand.ReadDictionary(parse.GetValue(dictionary), out byte[] dict) is { } failed)
            {
                return failed;
            }

            bool decompress = decompressOnly || (parse.GetValue(common.Decompress) && !IsLast(parse, compress, common.Decompress)) || test;
            var codec = new FileCodec.Settings("zstd", decompress, level, dict, test, parse.GetValue(common.Force), quiet, ExitCodes.DataError, " ");
            var settings = new Settings(
                ToStdout: cat || parse.GetValue(common.Stdout) || parse.GetValue(output) == "-",
                Remove: parse.GetValue(remove),
                Verbose: parse.GetValue(common.Verbose) && !quiet,
                Output: FileJob.Named(parse.GetValue(output)));
            return devices.Run(parse, runtime => Run(settings, new FileCodec(codec, runtime), common.FilesOrStdin(parse)));
        });
        return command;
    }

    /// <summary>Whether <paramref name="option"/> comes after <paramref name="other"/> on the line (zstd: the last of
    /// <c>-z</c> and <c>-d</c> counts).</summary>
    private static bool IsLast(ParseResult parse, Option option, Option other)
    {
        int Position(Option o) => parse.Tokens.Select((t, i) => (t, i)).LastOrDefault(x => x.t.Value == o.Name || o.Aliases.Contains(x.t.Value), (null!, -1)).i;
        return Position(option) > Position(other);
    }

    private static int Run(Settings settings, FileCodec codec, string[] files)
    {
        if (settings.Output is { } output && !settings.ToStdout && files.Length > 1 && !codec.Options.Test)
        {
            // zstd asks before it concatenates several inputs into one output; without a terminal to answer, -f says yes.
            if (!codec.Options.Force)
            {
                return FileCodec.Error($"several files into one output {output}: give -f to concatenate them");
            }

            if (files.Select(file => file == "-" ? null : codec.CheckInput(file, s_symbolicLink)).FirstOrDefault(c => c is not null) is { } refused)
            {
                return refused;
            }

            return codec.CheckOutput(files[0], output) ?? Finish(settings, codec, string.Join(' ', files), output,
                codec.Convert(files, output, settings.Remove));
        }

        return FileCodec.Each(files, file => One(settings, codec, file));
    }

    private static int One(Settings settings, FileCodec codec, string file)
    {
        bool fromStdin = file == "-";
        if (!fromStdin && codec.CheckInput(file, s_symbolicLink) is { } refused)
        {
            return refused;
        }

        string? output = settings.ToStdout || codec.Options.Test || fromStdin && settings.Output is null ? null : settings.Output ?? Derive(codec, file);
        if (!settings.ToStdout && !codec.Options.Test && !fromStdin && settings.Output is null && output is null)
        {
            return FileCodec.Error($"{file}: unknown suffix (.zst/.tzst expected) -- ignored (name the output with -o)");
        }

        if (output is null)
        {
            bool forced = codec.Options.Force || settings.ToStdout;
            if (FileCodec.RefuseTerminal(!forced && !codec.Options.Decompress && !codec.Options.Test, fromStdin && !codec.Options.Force,
                    "stdout is a console, aborting", "stdin is a console, aborting") is { } terminal)
            {
                return terminal;
            }
        }
        else if (codec.CheckOutput(file, output) is { } exists)
        {
            return exists;
        }

        // zstd removes an input only into a named output
        return Finish(settings, codec, fromStdin ? "stdin" : file, output, codec.Convert([file], output, settings.Remove && !fromStdin && output is not null));
    }

    /// <summary>FILE.zst, or FILE without .zst (.tzst: .tar); null when decompressing a name with neither.</summary>
    private static string? Derive(FileCodec codec, string file)
    {
        if (!codec.Options.Decompress)
        {
            return file + ".zst";
        }

        return file.EndsWith(".zst", StringComparison.Ordinal) && file.Length > 4 ? file[..^4]
            : file.EndsWith(".tzst", StringComparison.Ordinal) && file.Length > 5 ? file[..^5] + ".tar"
            : null;
    }

    /// <summary>zstd's verbose line, once a file is done.</summary>
    private static int Finish(Settings settings, FileCodec codec, string file, string? output, (int Code, long Uncompressed, long Compressed) result)
    {
        if (result.Code == ExitCodes.Ok && settings.Verbose)
        {
            string line = codec.Options.Decompress
                ? $"{file,-20}: {result.Uncompressed} bytes"
                : string.Format(CultureInfo.InvariantCulture, "{0,-20} : {1:F2}%   ({2} B => {3} B, {4})", file,
                    result.Uncompressed == 0 ? 0 : 100.0 * result.Compressed / result.Uncompressed, result.Uncompressed, result.Compressed,
                    output ?? "stdout");
            Console.Error.WriteLine(line);
        }

        return result.Code;
    }
}
