using System.CommandLine;
using System.CommandLine.Parsing;

namespace WarpDrive.Cli;

/// <summary>System.CommandLine gives a token that names no option (<c>-9</c>, <c>--frobnicate</c>) to a command's
/// file arguments when they take it; in wd such a token is a usage error, never a file name. <c>-</c> (standard input)
/// and anything after <c>--</c> stay file names.</summary>
internal static class UnknownOptions
{
    /// <summary>The first argument token of the parsed command that looks like an option, or null.</summary>
    public static string? Find(ParseResult parse)
    {
        var taken = new HashSet<Token>(ReferenceEqualityComparer.Instance);
        for (SymbolResult? result = parse.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult command)
            {
                foreach (ArgumentResult argument in command.Children.OfType<ArgumentResult>())
                {
                    taken.UnionWith(argument.Tokens);
                }
            }
        }

        foreach (Token token in parse.Tokens)
        {
            if (token.Type == TokenType.DoubleDash)
            {
                break;
            }

            if (token.Value.Length > 1 && token.Value[0] == '-' && taken.Contains(token))
            {
                return token.Value;
            }
        }

        return null;
    }
}
