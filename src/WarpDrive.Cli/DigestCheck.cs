using System.Text;
using WarpDrive.Crypto;

namespace WarpDrive.Cli;

/// <summary><c>wd digest -c SUMS...</c>: checks sums files exactly as <c>sha256sum -c</c> (GNU coreutils) does. Lines are
/// <c>HEX  NAME</c>, <c>HEX *NAME</c> (binary marker) or the BSD tagged <c>TAG (NAME) = HEX</c>, TAG the algorithm's name
/// in capitals (SHA256, MD5, SM3...); a leading backslash marks an escaped name; <c>#</c> lines are comments. Output:
/// <c>NAME: OK</c>, <c>NAME: FAILED</c>, <c>NAME: FAILED open or read</c>, then coreutils' warnings on stderr; exit 0
/// only when every listed file was read and matched.</summary>
internal static class DigestCheck
{
    private static readonly System.Buffers.SearchValues<char> s_plain =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789%+,-./=@_^");
    private static readonly System.Buffers.SearchValues<char> s_hexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The options of <c>sha256sum -c</c>.</summary>
    public sealed record Options(bool Quiet, bool Status, bool Strict, bool IgnoreMissing, bool Warn);

    /// <summary>Checks every sums file; returns 0 when all of them check out, else 1.</summary>
    public static int Run(DigestSession session, string tag, string[] sumsFiles, Options options)
    {
        byte[] piece = GC.AllocateUninitializedArray<byte>(DigestCommand.PieceSize);
        byte[] hash = new byte[session.HashSize];
        bool ok = true;
        foreach (string sums in sumsFiles.Length == 0 ? ["-"] : sumsFiles)
        {
            ok &= CheckOne(session, tag, sums, options, piece, hash);
        }

        return ok ? ExitCodes.Ok : ExitCodes.DataError;
    }

    private static bool CheckOne(DigestSession session, string tag, string sums, Options options, byte[] piece, byte[] hash)
    {
        TextReader reader;
        try
        {
            reader = new StreamReader(sums == "-" ? Console.OpenStandardInput() : InputFile.Open(sums), Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"wd: {Quote(sums)}: {CliError.SystemMessage(e)}");
            return false;
        }

        string shown = sums == "-" ? "standard input" : Quote(sums);
        long misformatted = 0, unreadable = 0, mismatched = 0;
        bool anyFormatted = false, anyMatched = false;
        using (reader)
        {
            string? line;
            for (long number = 1; (line = reader.ReadLine()) is not null; number++)
            {
                if (line.StartsWith('#'))
                {
                    continue;
                }

                if (Parse(line, tag, session.HashSize) is not { } entry)
                {
                    misformatted++;
                    if (options.Warn)
                    {
                        Console.Error.WriteLine($"wd: {shown}: {number}: improperly formatted {tag} checksum line");
                    }

                    continue;
                }

                anyFormatted = true;
                string display = Escape(entry.Name);
                try
                {
                    using Stream input = entry.Name == "-" ? Console.OpenStandardInput() : InputFile.Open(entry.Name);
                    DigestCommand.Hash(session, input, piece, hash);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    session.Reset();
                    if (options.IgnoreMissing && e is FileNotFoundException or DirectoryNotFoundException)
                    {
                        continue;
                    }

                    unreadable++;
                    Console.Error.WriteLine($"wd: {Quote(entry.Name)}: {CliError.SystemMessage(e)}");
                    if (!options.Status)
                    {
                        Console.Out.WriteLine($"{display}: FAILED open or read");
                    }

                    continue;
                }

                if (Convert.ToHexStringLower(hash).Equals(entry.Hex, StringComparison.OrdinalIgnoreCase))
                {
                    anyMatched = true;
                    if (!options.Status && !options.Quiet)
                    {
                        Console.Out.WriteLine($"{display}: OK");
                    }
                }
                else
                {
                    mismatched++;
                    if (!options.Status)
                    {
                        Console.Out.WriteLine($"{display}: FAILED");
                    }
                }
            }
        }

        if (!anyFormatted)
        {
            Console.Error.WriteLine($"wd: {shown}: no properly formatted checksum lines found");
            return false;
        }

        if (!options.Status)
        {
            Console.Out.Flush(); // the OK/FAILED lines before the summary, as coreutils (stdout flushed before stderr)
            WarnCount(misformatted, "line is improperly formatted", "lines are improperly formatted");
            WarnCount(unreadable, "listed file could not be read", "listed files could not be read");
            WarnCount(mismatched, "computed checksum did NOT match", "computed checksums did NOT match");
            if (options.IgnoreMissing && !anyMatched)
            {
                Console.Error.WriteLine($"wd: {shown}: no file was verified");
            }
        }

        return anyMatched && mismatched == 0 && unreadable == 0 && (!options.Strict || misformatted == 0);
    }

    private static void WarnCount(long count, string one, string many)
    {
        if (count != 0)
        {
            Console.Error.WriteLine($"wd: WARNING: {count} {(count == 1 ? one : many)}");
        }
    }

    /// <summary>One line of a sums file: <c>HEX  NAME</c>, <c>HEX *NAME</c>, <c>HEX NAME</c> or <c>TAG (NAME) = HEX</c>;
    /// null when it is none of them (or the hex is not the digest's length).</summary>
    internal static (string Name, string Hex)? Parse(string line, string tag, int hashSize)
    {
        ReadOnlySpan<char> s = line.AsSpan().TrimStart(" \t");
        bool escaped = s.StartsWith('\\');
        if (escaped)
        {
            s = s[1..];
        }

        string name;
        ReadOnlySpan<char> hex;
        if (s.StartsWith(tag, StringComparison.Ordinal) && s[tag.Length..].TrimStart(' ').StartsWith('('))
        {
            ReadOnlySpan<char> rest = s[tag.Length..].TrimStart(' ')[1..];
            int close = rest.LastIndexOf(") = ");
            if (close < 0)
            {
                return null;
            }

            name = rest[..close].ToString();
            hex = rest[(close + 4)..];
        }
        else
        {
            int length = hashSize * 2;
            if (s.Length < length + 2 || s[length] is not (' ' or '\t'))
            {
                return null;
            }

            hex = s[..length];
            ReadOnlySpan<char> rest = s[(length + 1)..];
            name = (rest is [' ' or '*', _, ..] ? rest[1..] : rest).ToString();
        }

        if (hex.Length != hashSize * 2 || hex.ContainsAnyExcept(s_hexDigits) || name.Length == 0)
        {
            return null;
        }

        if (escaped)
        {
            name = Unescape(name);
        }

        return (name, hex.ToString());
    }

    private static string Unescape(string name)
    {
        var sb = new StringBuilder(name.Length);
        for (int i = 0; i < name.Length; i++)
        {
            sb.Append(name[i] == '\\' && i + 1 < name.Length ? name[++i] switch { 'n' => '\n', 'r' => '\r', char c => c } : name[i]);
        }

        return sb.ToString();
    }

    /// <summary>A name as coreutils (9.1) prints it on a check line: with a leading backslash and escapes when it holds
    /// a newline.</summary>
    internal static string Escape(string name) =>
        !name.Contains('\n') ? name : "\\" + name.Replace("\\", "\\\\").Replace("\n", "\\n");

    /// <summary>A name as coreutils puts it in a message (quotef, shell-escape style): as it is when every character is
    /// plain, else in single quotes.</summary>
    internal static string Quote(string name) =>
        name.Length > 0 && !name.AsSpan().ContainsAnyExcept(s_plain) ? name : "'" + name.Replace("'", "'\\''") + "'";
}
