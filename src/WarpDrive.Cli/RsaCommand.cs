using System.CommandLine;
using System.Security.Cryptography;
using WarpDrive.Crypto;

namespace WarpDrive.Cli;

/// <summary><c>wd rsa keygen|sign|verify</c>: RSA keys and signatures on an HPRE device, interoperable with OpenSSL
/// (<c>openssl dgst -sha256 -sign KEY.pem</c>, and <c>-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest</c>
/// for PSS). Keys are PEM: PKCS#8 <c>PRIVATE KEY</c> and SubjectPublicKeyInfo <c>PUBLIC KEY</c> out, PKCS#1 too in.</summary>
internal static class RsaCommand
{
    private const int ChunkSize = 1 << 16;

    public static Command Create() => new("rsa", "RSA keys and signatures on an HPRE device (OpenSSL-compatible)")
    {
        CreateKeygen(),
        CreateSign(),
        CreateVerify(),
    };

    private static Command CreateKeygen()
    {
        var bits = new Option<int>("--bits", "-b") { Description = "Modulus size: 1024 to 4096, a multiple of 256", DefaultValueFactory = _ => 2048 };
        bits.Validators.Add(r =>
        {
            int v = r.GetValueOrDefault<int>();
            if (v is < RsaSession.MinKeyBits or > RsaSession.MaxKeyBits || v % 256 != 0)
            {
                r.AddError($"bits must be 1024 to 4096 in steps of 256, not {v}");
            }
        });
        var output = new Option<string>("--out", "-o") { Description = "Private key file (PKCS#8 PEM, mode 0600)", Required = true };
        var publicOutput = new Option<string?>("--pubout") { Description = "Also write the public key (SubjectPublicKeyInfo PEM)" };
        var command = new Command("keygen", "Generate an RSA key on the device") { bits, output, publicOutput };
        var devices = new DeviceSelection(command);
        command.SetAction(parse => devices.Run(parse, runtime =>
            Keygen(parse.GetValue(bits), parse.GetValue(output)!, parse.GetValue(publicOutput), runtime)));
        return command;
    }

    private static Command CreateSign()
    {
        var key = KeyOption("Private key (PEM)");
        var hash = HashOption();
        var pss = PssOption();
        var output = new Option<string?>("--out", "-o") { Description = "Signature file (default: standard output)" };
        var input = InputArgument();
        var command = new Command("sign", "Sign a file's hash on the device; the raw signature goes to --out or standard output")
        {
            key, hash, pss, output, input,
        };
        var devices = new DeviceSelection(command);
        command.SetAction(parse => devices.Run(parse, runtime =>
            Sign(parse.GetValue(key)!, parse.GetValue(hash)!, parse.GetValue(pss), parse.GetValue(output), parse.GetValue(input), runtime)));
        return command;
    }

    private static Command CreateVerify()
    {
        var key = KeyOption("Public or private key (PEM)");
        var signature = new Option<string>("--signature", "-s") { Description = "Signature file (raw bytes)", Required = true };
        var hash = HashOption();
        var pss = PssOption();
        var input = InputArgument();
        var command = new Command("verify", $"Verify a signature of a file on the device: \"Verified OK\" (exit 0) or \"Verification failure\" (exit {ExitCodes.VerificationFailure})")
        {
            key, signature, hash, pss, input,
        };
        var devices = new DeviceSelection(command);
        command.SetAction(parse => devices.Run(parse, runtime =>
            Verify(parse.GetValue(key)!, parse.GetValue(signature)!, parse.GetValue(hash)!, parse.GetValue(pss), parse.GetValue(input), runtime)));
        return command;
    }

    private static Option<string> KeyOption(string description) => new("--key", "-k") { Description = description, Required = true };

    private static Option<string> HashOption()
    {
        var hash = new Option<string>("--hash") { Description = "Hash: sha1, sha256, sha384 or sha512", DefaultValueFactory = _ => "sha256" };
        hash.AcceptOnlyFromAmong("sha1", "sha256", "sha384", "sha512");
        return hash;
    }

    private static Option<bool> PssOption() => new("--pss") { Description = "RSASSA-PSS (MGF1 with the same hash, salt = hash length) instead of PKCS#1 v1.5" };

    private static Argument<string?> InputArgument() =>
        new("file") { Description = "File to sign or verify ('-' or none: standard input)", Arity = ArgumentArity.ZeroOrOne };

    private static int Keygen(int bits, string outputPath, string? publicPath, WdRuntime runtime)
    {
        string subject = outputPath;
        try
        {
            using RsaKey key = RsaSession.GenerateKey(bits, runtime);
            WriteAtomically(outputPath, key.ToPem(includePrivate: true), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            if (publicPath is not null)
            {
                subject = publicPath;
                WriteAtomically(publicPath, key.ToPem(includePrivate: false),
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return CliError.Report(subject, e);
        }
    }

    private static int Sign(string keyPath, string hashName, bool pss, string? outputPath, string? inputPath, WdRuntime runtime)
    {
        if (outputPath is null && !Console.IsOutputRedirected)
        {
            return CliError.Usage("a signature is binary: not written to a terminal (use --out FILE or redirect standard output)");
        }

        string subject = keyPath;
        try
        {
            using RsaKey key = ReadKey(keyPath);
            if (!key.IsPrivate)
            {
                throw new InvalidDataException("a public key cannot sign (a private key PEM is needed)");
            }

            subject = inputPath is null or "-" ? "(stdin)" : inputPath;
            HashAlgorithmName hash = HashName(hashName);
            byte[] digest = HashInput(inputPath, hash);
            using var session = new RsaSession(key, runtime);
            byte[] signature = new byte[session.ModulusBytes];
            session.SignHash(digest, signature, hash, pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
            if (outputPath is null)
            {
                using Stream stdout = Console.OpenStandardOutput();
                stdout.Write(signature);
            }
            else
            {
                subject = outputPath;
                WriteAtomically(outputPath, signature, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return CliError.Report(subject, e);
        }
    }

    private static int Verify(string keyPath, string signaturePath, string hashName, bool pss, string? inputPath, WdRuntime runtime)
    {
        string subject = keyPath;
        try
        {
            using RsaKey key = ReadKey(keyPath);
            subject = signaturePath;
            byte[] signature = ReadSmallFile(signaturePath);
            subject = inputPath is null or "-" ? "(stdin)" : inputPath;
            HashAlgorithmName hash = HashName(hashName);
            byte[] digest = HashInput(inputPath, hash);
            bool valid = false;
            if (signature.Length == key.ModulusBytes)
            {
                using var session = new RsaSession(key, runtime);
                valid = session.VerifyHash(digest, signature, hash, pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1);
            }

            if (!valid)
            {
                Console.Error.WriteLine("Verification failure");
                return ExitCodes.VerificationFailure;
            }

            Console.WriteLine("Verified OK");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return CliError.Report(subject, e);
        }
    }

    private static HashAlgorithmName HashName(string name) => name switch
    {
        "sha1" => HashAlgorithmName.SHA1,
        "sha384" => HashAlgorithmName.SHA384,
        "sha512" => HashAlgorithmName.SHA512,
        _ => HashAlgorithmName.SHA256,
    };

    /// <summary>Reads a PEM key file; a file that holds no RSA key the device takes is a data error.</summary>
    private static RsaKey ReadKey(string path)
    {
        string text = System.Text.Encoding.ASCII.GetString(ReadSmallFile(path));
        try
        {
            return RsaKey.FromPem(text);
        }
        catch (ArgumentException e)
        {
            string message = e.ParamName is null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
            throw new InvalidDataException(message, e);
        }
    }

    private static byte[] ReadSmallFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IOException("is a directory");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        if (stream.Length > 1 << 20)
        {
            throw new InvalidDataException("larger than 1 MiB: not a key or signature");
        }

        byte[] data = new byte[stream.Length];
        stream.ReadExactly(data);
        return data;
    }

    private static byte[] HashInput(string? path, HashAlgorithmName hash)
    {
        using Stream source = path is null or "-" ? Console.OpenStandardInput()
            : Directory.Exists(path) ? throw new IOException("is a directory")
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        using var incremental = IncrementalHash.CreateHash(hash);
        byte[] buffer = new byte[ChunkSize];
        int n;
        while ((n = source.Read(buffer, 0, buffer.Length)) > 0)
        {
            incremental.AppendData(buffer, 0, n);
        }

        return incremental.GetHashAndReset();
    }

    private static void WriteAtomically(string path, string text, UnixFileMode mode) =>
        WriteAtomically(path, System.Text.Encoding.ASCII.GetBytes(text), mode);

    /// <summary>Writes <paramref name="data"/> to a new temporary file beside <paramref name="path"/>, created with
    /// <paramref name="mode"/> (never wider, whatever the umask allows), and renames it into place.</summary>
    private static void WriteAtomically(string path, byte[] data, UnixFileMode mode)
    {
        try
        {
            FileStream stream = PendingOutput.Create(path, mode);
            using (stream)
            {
                stream.Write(data);
                stream.Flush(flushToDisk: true);
                PendingOutput.Commit(stream, path);
            }
        }
        finally
        {
            PendingOutput.Remove(); // nothing once committed; the temporary file after a failure
            CryptographicOperations.ZeroMemory(data);
        }
    }
}
