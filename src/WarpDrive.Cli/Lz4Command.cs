using System.CommandLine;
using System.Globalization;

namespace WarpDrive.Cli;

/// <summary><c>wd lz4|unlz4|lz4cat [-cdzfkmqtv] [--rm] [-#] [--best] [--fast[=N]] [INPUT [OUTPUT] | -m FILE...]</c>: the lz4
/// tool's command line on a WarpDrive device, with its own rules. Without <c>-m</c> there is one INPUT (none, or
/// <c>-</c>: standard input) and the second operand is the OUTPUT (<c>-</c> or <c>stdout</c>: standard output,
/// <c>null</c>: nothing); with no OUTPUT, standard output when it is not a terminal (with lz4's warning), else
/// INPUT.lz4 (or INPUT without .lz4). <c>-m</c> (and <c>lz4cat</c>) takes every operand as an input, each to its
/// own FILE.lz4 (or back). An INPUT ending in .lz4 is decompressed unless <c>-z</c>. Inputs stay unless
/// <c>--rm</c>, which removes them even after <c>-c</c>, as lz4 does; outputs keep their input's mode and times; an
/// existing output is not overwritten without <c>-f</c>; a terminal is never read, and is written only with
/// <c>-c</c>. Exit codes: 0 ok, 1 when any file failed (lz4 -m counts them); an unknown option is wd's usage error (2).</summary>
internal static class Lz4Command
{
    private const int DefaultLevel = 1;
    private const string Suffix = ".lz4";

    private sealed record Settings(bool Multiple, bool ForceStdout, bool Remove, bool Verbose);

    /// <summary>The command: <c>lz4</c>, <c>unlz4</c> (always <c>-d</c>) or <c>lz4cat</c> (always <c>-dcm</c>).</summary>
    public static Command Create(string name)
    {
        bool decompressOnly = name is "unlz4" or "lz4cat", cat = name == "lz4cat";
        var command = new Command(name, name switch
        {
            "unlz4" => "Decompress files as unlz4 (lz4 -d) does, on a ZIP device",
            "lz4cat" => "Decompress files to standard output as lz4cat (lz4 -dcm) does, on a ZIP device",
            _ => "Compress or decompress a file as lz4 does, on a ZIP device",
        });
        var common = new CompressorOptions(command, "Overwrite existing outputs", "Keep the input files (the default)");
        var compress = new Option<bool>("--compress", "-z") { Description = "Compress, even a file named .lz4" };
        var multiple = new Option<bool>("--multiple", "-m") { Description = "Every operand is an input, each to its own output" };
        var remove = new Option<bool>("--rm") { Description = "Remove each input once it is done (with -c too)" };
        foreach (Option option in (Option[])[compress, multiple, remove])
        {
            command.Add(option);
        }

        var levels = new LevelOptions(command, 0, 12, level => level == 12 ? ["--best"] : [],
            level => level switch { 1 => "Levels -1 (default, fast) to -12 (smaller: LZ4 HC from -3)", 12 => "Level 12", _ => null },
            fastWithValue: true);
        var devices = new DeviceSelection(command, shortMode: false);
        command.SetAction(parse =>
        {
            string[] operands = parse.GetValue(common.Files) ?? [];
            bool test = parse.GetValue(common.Test), quiet = parse.GetValue(common.Quiet), many = cat || parse.GetValue(multiple);
            bool decompress = decompressOnly || test || parse.GetValue(common.Decompress)
                || (!parse.GetValue(compress) && operands is [var first, ..] && first.EndsWith(Suffix, StringComparison.Ordinal));
            int level = levels.Last(parse, DefaultLevel) is var last and not 0 ? last : DefaultLevel; // lz4: -0 is -1
            var codec = new FileCodec.Settings("lz4", decompress, level, default, test, parse.GetValue(common.Force), quiet, ExitCodes.DataError, " ");
            var settings = new Settings(many, cat || parse.GetValue(common.Stdout), parse.GetValue(remove),
                parse.GetValue(common.Verbose) && !quiet);
            return devices.Run(parse, runtime => Run(settings, new FileCodec(codec, runtime), operands));
        });
        return command;
    }

    private static int Run(Settings settings, FileCodec codec, string[] operands)
    {
        if (settings.Multiple)
        {
            return FileCodec.Each(operands.Length == 0 ? ["-"] : operands,
                file => One(settings, codec, file, settings.ForceStdout || file == "-" ? "-" : Derive(codec, file)));
        }

        if (operands.Length > (settings.ForceStdout ? 1 : 2))
        {
            return FileCodec.Error($"{operands[^1]} won't be used: several input files need -m");
        }

        string input = operands.Length > 0 ? operands[0] : "-";
        string? output = settings.ForceStdout || codec.Options.Test ? "-" : operands.Length > 1 ? operands[1] : null; // -t: OUTPUT unused
        if (output is null)
        {
            if (input == "-" || Console.IsOutputRedirected)
            {
                if (input != "-" && !codec.Options.Quiet)
                {
                    Console.Error.WriteLine("wd: Warning : using stdout as default output. Do not rely on this behavior: use explicit `-c` instead !");
                }

                output = "-";
            }
            else
            {
                output = Derive(codec, input);
            }
        }

        return One(settings, codec, input, output);
    }

    /// <summary>FILE.lz4, or FILE without .lz4; null when decompressing a name without it.</summary>
    private static string? Derive(FileCodec codec, string file) =>
        !codec.Options.Decompress ? file + Suffix
        : file.EndsWith(Suffix, StringComparison.Ordinal) && file.Length > Suffix.Length ? file[..^Suffix.Length]
        : null;

    /// <summary>One input to <paramref name="output"/>: a file, <c>-</c> or <c>stdout</c> (standard output), <c>null</c>
    /// (nothing), or null when no name could be made.</summary>
    private static int One(Settings settings, FileCodec codec, string file, string? output)
    {
        bool fromStdin = file == "-";
        if (output is null)
        {
            return FileCodec.Error($"{file}: unknown suffix ({Suffix} expected) -- ignored");
        }

        if (!fromStdin && codec.CheckInput(file, symbolicLink: null) is { } refused)
        {
            return refused;
        }

        if (output == "null")
        {
            codec = codec.Discarding();
            output = "-";
        }

        bool toStdout = output is "-" or "stdout";
        if (FileCodec.RefuseTerminal(toStdout && !settings.ForceStdout && !codec.Options.Test, fromStdin,
                "refusing to write to console without -c", "refusing to read from a console") is { } terminal)
        {
            return terminal;
        }

        if (!toStdout && codec.CheckOutput(file, output) is { } exists)
        {
            return exists;
        }

        (int code, long uncompressed, long compressed) = codec.Convert([file], toStdout ? null : output,
            settings.Remove && !fromStdin && !codec.Options.Test);
        if (code == ExitCodes.Ok && settings.Verbose)
        {
            Console.Error.WriteLine(codec.Options.Decompress
                ? $"{file,-20} : decoded {uncompressed} bytes"
                : string.Format(CultureInfo.InvariantCulture, "Compressed {0} bytes into {1} bytes ==> {2:F2}%", uncompressed, compressed,
                    uncompressed == 0 ? 0 : 100.0 * compressed / uncompressed));
        }

        return code;
    }
}
