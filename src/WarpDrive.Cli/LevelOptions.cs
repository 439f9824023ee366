using System.CommandLine;
using System.CommandLine.Parsing;

namespace WarpDrive.Cli;

/// <summary>The level options of the compressors' own command lines: <c>-1</c>..<c>-9</c> (gzip), <c>-1</c>..<c>-22</c>
/// (zstd), <c>-1</c>..<c>-12</c> (lz4), their long names (<c>--best</c>) and zstd's and lz4's <c>--fast[=N]</c> (level
/// -N). As in those tools, the last one on the line counts.</summary>
internal sealed class LevelOptions
{
    private readonly Dictionary<Option, int> _levels = [];
    private const int MaxFast = 128; // wd's fastest level is -128

    /// <summary>Adds <c>-MIN</c>..<c>-MAX</c> to <paramref name="command"/>.</summary>
    /// <param name="command">The command.</param>
    /// <param name="min">The lowest level option.</param>
    /// <param name="max">The highest.</param>
    /// <param name="aliases">The long names of a level (gzip's <c>--fast</c> is <c>-1</c>).</param>
    /// <param name="describe">The help line of a level, or null to leave it out of the help.</param>
    /// <param name="fastWithValue">Whether <c>--fast[=N]</c> means level -N (zstd, lz4; default N: 1).</param>
    public LevelOptions(Command command, int min, int max, Func<int, string[]> aliases, Func<int, string?> describe, bool fastWithValue)
    {
        for (int level = min; level <= max; level++)
        {
            string? description = describe(level);
            var option = new Option<bool>($"-{level}", aliases(level)) { Description = description, Hidden = description is null };
            command.Add(option);
            _levels.Add(option, level);
        }

        if (fastWithValue)
        {
            // --fast=N, one hidden option each: a value of --fast's own would take the file name in "--fast FILE".
            var fast = new Option<bool>("--fast") { Description = "Faster than level 1: --fast=N (1 to 128) is level -N; --fast is --fast=1" };
            command.Add(fast);
            _levels.Add(fast, -1);
            for (int n = 1; n <= MaxFast; n++)
            {
                var option = new Option<bool>($"--fast={n}") { Hidden = true };
                command.Add(option);
                _levels.Add(option, -n);
            }

            // The parser splits an --fast=N it does not know into --fast and a file N: refuse it from the line itself.
            command.Validators.Add(r =>
            {
                if (Environment.GetCommandLineArgs().Skip(1).TakeWhile(a => a != "--")
                        .FirstOrDefault(a => a.StartsWith("--fast=", StringComparison.Ordinal) && !_levels.Keys.Any(o => o.Name == a)) is { } bad)
                {
                    r.AddError($"{bad}: --fast=N takes N from 1 to {MaxFast}");
                }
            });
        }
    }

    /// <summary>The level of the last level option on the line, or <paramref name="defaultLevel"/> when none is.</summary>
    public int Last(ParseResult parse, int defaultLevel)
    {
        int level = defaultLevel;
        foreach (Token token in parse.Tokens.Where(t => t.Type == TokenType.Option))
        {
            if (_levels.FirstOrDefault(l => l.Key.Name == token.Value || l.Key.Aliases.Contains(token.Value)) is { Key: not null } found)
            {
                level = found.Value;
            }
        }

        return level;
    }
}
