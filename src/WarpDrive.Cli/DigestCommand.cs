using System.CommandLine;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Cli;

/// <summary><c>wd digest -a sha256 [--hmac|--key-file K] [FILE...]</c>: one line per file in the format of sha256sum
/// (<c>HEX  NAME</c>; <c>-</c> or no file is standard input). Each file is fed to the device in pieces (first,
/// middle, final requests on one stream context). With <c>-c</c> the files are sums files to check, as
/// <c>sha256sum -c</c> does (<see cref="DigestCheck"/>).</summary>
internal static class DigestCommand
{
    internal const int PieceSize = 1 << 20;

    public static Command Create()
    {
        var algorithm = new Option<string>("--algorithm", "-a")
        {
            Description = $"Hash: {string.Join(", ", CryptoNames.Digests.Keys)}",
            DefaultValueFactory = _ => "sha256",
        };
        algorithm.AcceptOnlyFromAmong([.. CryptoNames.Digests.Keys]);
        var hmac = new Option<bool>("--hmac") { Description = "HMAC keyed with --key-file instead of the plain hash" };
        var keyFile = new Option<string?>("--key-file", "-k") { Description = "MAC key (raw bytes) for --hmac or aes-cmac" };
        var check = new Option<bool>("--check", "-c") { Description = "Read sums from the files and check them, as sha256sum -c" };
        var quiet = new Option<bool>("--quiet") { Description = "With -c: do not print OK for each file that checks out" };
        var status = new Option<bool>("--status") { Description = "With -c: print nothing; the exit code says it" };
        var strict = new Option<bool>("--strict") { Description = "With -c: exit 1 for improperly formatted lines" };
        var ignoreMissing = new Option<bool>("--ignore-missing") { Description = "With -c: no fail nor report for missing files" };
        var warn = new Option<bool>("--warn", "-w") { Description = "With -c: warn about improperly formatted lines" };
        var files = new Argument<string[]>("files") { Description = "Files to hash, or with -c sums files (default: standard input)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("digest", "Hash or MAC files on a SEC device; prints sha256sum-style lines, or checks them (-c)")
        {
            algorithm, hmac, keyFile, check, quiet, status, strict, ignoreMissing, warn, files,
        };
        var devices = new DeviceSelection(command);
        command.SetAction(parse =>
        {
            DigestCheck.Options? checking = parse.GetValue(check)
                ? new DigestCheck.Options(parse.GetValue(quiet), parse.GetValue(status), parse.GetValue(strict), parse.GetValue(ignoreMissing), parse.GetValue(warn))
                : null;
            if (checking is null && (Option?)new Option[] { quiet, status, strict, ignoreMissing, warn }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } only)
            {
                return CliError.Usage($"the {only.Name} option is meaningful only when verifying checksums (-c)");
            }

            return devices.Run(parse, runtime => Run(parse.GetValue(algorithm)!, parse.GetValue(hmac), parse.GetValue(keyFile), parse.GetValue(files) ?? [], checking, runtime));
        });
        return command;
    }

    private static int Run(string name, bool hmac, string? keyFile, string[] files, DigestCheck.Options? checking, WdRuntime runtime)
    {
        DigestAlgorithm algorithm = CryptoNames.Digests[name];
        bool keyed = hmac || algorithm == DigestAlgorithm.AesCmac;
        if (keyed != (keyFile is not null))
        {
            return CliError.Usage(keyed ? "a MAC needs --key-file" : "--key-file needs --hmac or -a aes-cmac");
        }

        if (hmac && algorithm == DigestAlgorithm.AesCmac)
        {
            return CliError.Usage("--hmac takes a hash, not aes-cmac");
        }

        byte[] key;
        try
        {
            key = keyFile is null ? [] : File.ReadAllBytes(keyFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CliError.Report(keyFile, e);
        }

        DigestSession session;
        try
        {
            session = new DigestSession(algorithm, key, hmac ? DigestMode.Hmac : DigestMode.Hash, incremental: true, runtime);
        }
        catch (ArgumentException e)
        {
            return CliError.Usage(e.Message);
        }
        catch (WdException e)
        {
            return CliError.Report(null, e);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        }

        using (session)
        {
            if (checking is not null)
            {
                return DigestCheck.Run(session, name.ToUpperInvariant(), files, checking); // coreutils' tag: SHA256, MD5, SM3...
            }

            int result = ExitCodes.Ok;
            byte[] piece = GC.AllocateUninitializedArray<byte>(PieceSize);
            byte[] hash = new byte[session.HashSize];
            foreach (string file in files.Length == 0 ? ["-"] : files)
            {
                try
                {
                    using Stream input = file == "-" ? Console.OpenStandardInput() : InputFile.Open(file);
                    Hash(session, input, piece, hash);
                    Console.Out.WriteLine($"{Convert.ToHexStringLower(hash)}  {file}");
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    session.Reset();
                    int code = CliError.Report(file, e);
                    result = result == ExitCodes.Ok ? code : result; // go on with the other files, like sha256sum
                }
            }

            return result;
        }
    }

    /// <summary>Hashes all of <paramref name="input"/> into <paramref name="hash"/>. The thread pool reads ahead while
    /// the session hashes, so that the file I/O overlaps the hashing (256 MiB: 0.37 s before, docs/PERFORMANCE.md).</summary>
    internal static void Hash(DigestSession session, Stream input, byte[] piece, byte[] hash)
    {
        // Three buffers: the piece being hashed, the one after it (read, held back: the last piece goes with Finish,
        // so that a file is never split into an empty final), and the one being read.
        int length = piece.Length;
        byte[][] pieces = [piece, GC.AllocateUninitializedArray<byte>(length), GC.AllocateUninitializedArray<byte>(length)];
        int current = 0;
        int filled = InputFile.ReadFull(input, piece);
        Task<int> ahead = filled == length ? Task.Run(() => InputFile.ReadFull(input, pieces[1])) : Task.FromResult(0);
        while (true)
        {
            int more = ahead.GetAwaiter().GetResult(); // the piece after the current one
            if (more == 0)
            {
                break;
            }

            byte[] spare = pieces[(current + 2) % 3];
            ahead = more == length ? Task.Run(() => InputFile.ReadFull(input, spare)) : Task.FromResult(0);
            try
            {
                session.Append(pieces[current].AsSpan(0, filled));
            }
            catch
            {
                CodecCommand.Settle(ahead); // Hazard: the read ahead still uses the input, which the caller disposes once this throws
                throw;
            }

            current = (current + 1) % 3;
            filled = more;
        }

        session.Finish(pieces[current].AsSpan(0, filled), hash);
    }
}
