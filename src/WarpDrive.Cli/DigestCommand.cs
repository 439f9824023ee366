using System.CommandLine;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Cli;

/// <summary><c>wd digest -a sha256 [--hmac|--key-file K] [FILE...]</c>: one line per file in the format of sha256sum
/// (<c>HEX  NAME</c>; <c>-</c> or no file is standard input). Each file is fed to the device in pieces (first,
/// middle, final requests on one stream context).</summary>
internal static class DigestCommand
{
    private const int PieceSize = 1 << 20;

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
        var files = new Argument<string[]>("files") { Description = "Files to hash (default: standard input)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("digest", "Hash or MAC files on a SEC device; prints sha256sum-style lines") { algorithm, hmac, keyFile, files };
        var devices = new DeviceSelection(command);
        command.SetAction(parse => devices.Run(parse, runtime =>
            Run(CryptoNames.Digests[parse.GetValue(algorithm)!], parse.GetValue(hmac), parse.GetValue(keyFile), parse.GetValue(files) ?? [], runtime)));
        return command;
    }

    private static int Run(DigestAlgorithm algorithm, bool hmac, string? keyFile, string[] files, WdRuntime runtime)
    {
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

    private static void Hash(DigestSession session, Stream input, byte[] piece, byte[] hash)
    {
        // Read one piece ahead: the last piece goes with Finish, so that a file is never split into an empty final.
        int filled = InputFile.ReadFull(input, piece);
        byte[] next = GC.AllocateUninitializedArray<byte>(piece.Length);
        while (filled == piece.Length)
        {
            int more = InputFile.ReadFull(input, next);
            if (more == 0)
            {
                break;
            }

            session.Append(piece.AsSpan(0, filled));
            (piece, next) = (next, piece);
            filled = more;
        }

        session.Finish(piece.AsSpan(0, filled), hash);
    }
}
