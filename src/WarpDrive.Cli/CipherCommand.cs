using System.Buffers.Binary;
using System.CommandLine;
using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Cli;

/// <summary><c>wd cipher -a NAME -e|-d --key-file K [--iv HEX] [--aad-file F] [--no-pad] [-o OUT] [IN]</c>.
/// ECB and CBC are padded as PKCS#7 (like <c>openssl enc</c>) unless <c>--no-pad</c>; AEAD output is
/// ciphertext || tag. Without <c>--iv</c>, encryption draws a random IV (nonce) and writes it first, and decryption
/// reads it from there; with <c>--iv</c> the output is exactly what <c>openssl enc -K .. -iv ..</c> writes.
/// Block ciphers run in 1 MiB requests with the IV carried from one to the next; XTS and AEAD take the whole input
/// as one request.</summary>
internal static class CipherCommand
{
    private const int ChunkSize = 1 << 20;
    private const int AeadNonceLength = 12;

    public static Command Create()
    {
        var algorithm = new Option<string>("--algorithm", "-a") { Description = "Cipher, e.g. aes-256-cbc, aes-128-ctr, aes-256-gcm, sm4-cbc, chacha20-poly1305", Required = true };
        algorithm.AcceptOnlyFromAmong([.. CryptoNames.Ciphers.Keys]);
        var encrypt = new Option<bool>("--encrypt", "-e") { Description = "Encrypt (the default)" };
        var decrypt = new Option<bool>("--decrypt", "-d") { Description = "Decrypt" };
        var keyFile = new Option<string>("--key-file", "-k") { Description = "Key (raw bytes, the cipher's key length)", Required = true };
        var iv = new Option<string?>("--iv") { Description = "IV or nonce in hex (default: random, written before the output)" };
        var aadFile = new Option<string?>("--aad-file") { Description = "Associated data for an AEAD cipher" };
        var noPad = new Option<bool>("--no-pad") { Description = "ECB/CBC: no PKCS#7 padding (the input must be whole blocks)" };
        var output = new Option<string?>("--output", "-o") { Description = "Output file (default: standard output)" };
        var input = new Argument<string?>("input") { Description = "Input file (default: standard input)", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("cipher", "Encrypt or decrypt a file on a SEC device")
        {
            algorithm, encrypt, decrypt, keyFile, iv, aadFile, noPad, output, input,
        };
        var devices = new DeviceSelection(command);
        command.SetAction(parse =>
        {
            if (parse.GetValue(encrypt) && parse.GetValue(decrypt))
            {
                return CliError.Usage("choose one of --encrypt and --decrypt");
            }

            var request = new Request(CryptoNames.Ciphers[parse.GetValue(algorithm)!], !parse.GetValue(decrypt), parse.GetValue(keyFile)!,
                parse.GetValue(iv), parse.GetValue(aadFile), !parse.GetValue(noPad), FileJob.Named(parse.GetValue(output)), FileJob.Named(parse.GetValue(input)));
            return devices.Run(parse, runtime => Run(request, runtime));
        });
        return command;
    }

    private sealed record Request(CryptoNames.CipherName Name, bool Encrypt, string KeyFile, string? Iv, string? AadFile, bool Pad, string? Output, string? Input);

    private static int Run(Request request, WdRuntime runtime)
    {
        if (request.Output is null && request.Encrypt && !Console.IsOutputRedirected)
        {
            return CliError.Usage("ciphertext not written to a terminal (use -o FILE or redirect standard output)");
        }

        byte[] key = [];
        byte[]? iv = null;
        byte[] aad = [];
        try
        {
            key = File.ReadAllBytes(request.KeyFile);
            aad = request.AadFile is null ? [] : File.ReadAllBytes(request.AadFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            CryptographicOperations.ZeroMemory(key);
            return CliError.Report(e is FileNotFoundException or DirectoryNotFoundException && aad.Length == 0 && key.Length > 0 ? request.AadFile : request.KeyFile, e);
        }

        try
        {
            if (key.Length != request.Name.KeyLength)
            {
                return CliError.Usage($"{request.KeyFile}: the key must be {request.Name.KeyLength} bytes (got {key.Length})");
            }

            if (request.Iv is not null)
            {
                try
                {
                    iv = Convert.FromHexString(request.Iv);
                }
                catch (FormatException)
                {
                    return CliError.Usage("--iv must be hexadecimal");
                }
            }

            if (request.Name.Aead is null && request.AadFile is not null)
            {
                return CliError.Usage("--aad-file needs an AEAD cipher (gcm, ccm, chacha20-poly1305)");
            }

            return Transform(request, key, iv, aad, runtime);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    private static int Transform(Request request, byte[] key, byte[]? iv, byte[] aad, WdRuntime runtime) =>
        FileJob.Run(request.Input, request.Output, (source, sink) =>
        {
            if (request.Name.Aead is { } aead)
            {
                RunAead(request, aead, key, iv, aad, source, sink, runtime);
            }
            else
            {
                RunCipher(request, request.Name.Cipher!.Value, key, iv, source, sink, runtime);
            }
        }, static (subject, error) => error switch
        {
            ArgumentException e => CliError.Usage(e.Message), // a length or IV the cipher does not take
            AuthenticationTagMismatchException => CliError.Report(subject, new InvalidDataException(
                "authentication failed: the data, the associated data, the key or the nonce is wrong; nothing written")),
            _ => null,
        });

    private static void RunAead(Request request, AeadAlgorithm algorithm, byte[] key, byte[]? nonce, byte[] aad, Stream source, Stream sink, WdRuntime runtime)
    {
        using var session = new AeadSession(algorithm, key, 16, runtime);
        byte[] input = ReadAll(source);
        if (nonce is null)
        {
            if (request.Encrypt)
            {
                nonce = RandomNumberGenerator.GetBytes(AeadNonceLength);
                sink.Write(nonce);
            }
            else
            {
                nonce = Take(ref input, AeadNonceLength, "nonce");
            }
        }

        byte[] output = new byte[request.Encrypt ? input.Length + session.TagLength : Math.Max(0, input.Length - session.TagLength)];
        int n = request.Encrypt ? session.Encrypt(nonce, input, output, aad) : session.Decrypt(nonce, input, output, aad);
        sink.Write(output, 0, n);
    }

    private static void RunCipher(Request request, CipherAlgorithm algorithm, byte[] key, byte[]? iv, Stream source, Stream sink, WdRuntime runtime)
    {
        using var session = new CipherSession(algorithm, key, runtime);
        int block = CryptoRules.BlockSize(algorithm);
        int ivLength = CryptoRules.IvLength(algorithm);
        bool padded = request.Pad && algorithm is CipherAlgorithm.AesEcb or CipherAlgorithm.AesCbc or CipherAlgorithm.Sm4Ecb
            or CipherAlgorithm.Sm4Cbc or CipherAlgorithm.TripleDesEcb or CipherAlgorithm.TripleDesCbc;
        if (iv is null && ivLength > 0)
        {
            if (request.Encrypt)
            {
                iv = RandomNumberGenerator.GetBytes(ivLength);
                sink.Write(iv);
            }
            else
            {
                iv = new byte[ivLength];
                if (InputFile.ReadFull(source, iv) != ivLength)
                {
                    throw new InvalidDataException("input too short to hold the IV");
                }
            }
        }

        iv ??= [];
        if (algorithm is CipherAlgorithm.AesXts or CipherAlgorithm.Sm4Xts)
        {
            byte[] all = ReadAll(source); // one data unit: the tweak covers the whole input
            byte[] result = new byte[all.Length];
            int n = request.Encrypt ? session.Encrypt(iv, all, result) : session.Decrypt(iv, all, result);
            sink.Write(result, 0, n);
            return;
        }

        // Read one chunk ahead, so that the last one is known (it carries the padding).
        byte[] chunk = GC.AllocateUninitializedArray<byte>(ChunkSize + block);
        byte[] next = GC.AllocateUninitializedArray<byte>(ChunkSize + block);
        byte[] output = GC.AllocateUninitializedArray<byte>(ChunkSize + block);
        int filled = InputFile.ReadFull(source, chunk.AsSpan(0, ChunkSize));
        while (true)
        {
            int more = filled == ChunkSize ? InputFile.ReadFull(source, next.AsSpan(0, ChunkSize)) : 0;
            bool last = more == 0;
            int length = filled;
            if (last && padded && request.Encrypt)
            {
                int pad = block - (length % block);
                chunk.AsSpan(length, pad).Fill((byte)pad);
                length += pad;
            }
            else if (last && padded && (length % block != 0 || length == 0))
            {
                throw new InvalidDataException("bad decrypt: the input is not whole blocks of this cipher");
            }
            else if (last && !CryptoRules.IsValidLength(algorithm, length) && length > 0)
            {
                throw new InvalidDataException($"the input is not whole {block}-byte blocks (--no-pad takes whole blocks only)");
            }

            if (length > 0)
            {
                int n = request.Encrypt ? session.Encrypt(iv, chunk.AsSpan(0, length), output) : session.Decrypt(iv, chunk.AsSpan(0, length), output);
                if (!last)
                {
                    ChainIv(algorithm, iv, chunk.AsSpan(0, length), output.AsSpan(0, n), request.Encrypt);
                }

                if (last && padded && !request.Encrypt)
                {
                    n -= Unpad(output.AsSpan(0, n), block);
                }

                sink.Write(output, 0, n);
            }

            if (last)
            {
                return;
            }

            (chunk, next) = (next, chunk);
            filled = more;
        }
    }

    /// <summary>The IV of the request that continues where this one ended.</summary>
    private static void ChainIv(CipherAlgorithm algorithm, byte[] iv, ReadOnlySpan<byte> input, ReadOnlySpan<byte> output, bool encrypt)
    {
        ReadOnlySpan<byte> ciphertext = encrypt ? output : input;
        switch (algorithm)
        {
            case CipherAlgorithm.AesCbc or CipherAlgorithm.Sm4Cbc or CipherAlgorithm.TripleDesCbc or CipherAlgorithm.AesCfb:
                ciphertext[^iv.Length..].CopyTo(iv);
                break;
            case CipherAlgorithm.AesOfb:
                // The last keystream block: output XOR input.
                for (int i = 0; i < iv.Length; i++)
                {
                    iv[i] = (byte)(output[output.Length - iv.Length + i] ^ input[input.Length - iv.Length + i]);
                }

                break;
            case CipherAlgorithm.AesCtr or CipherAlgorithm.Sm4Ctr:
                UInt128 counter = BinaryPrimitives.ReadUInt128BigEndian(iv) + (UInt128)(input.Length / iv.Length);
                BinaryPrimitives.WriteUInt128BigEndian(iv, counter);
                break;
            default:
                break; // ECB: nothing carries over
        }
    }

    private static int Unpad(ReadOnlySpan<byte> plaintext, int block)
    {
        int pad = plaintext.IsEmpty ? 0 : plaintext[^1];
        if (pad < 1 || pad > block || plaintext[^pad..].ContainsAnyExcept((byte)pad))
        {
            throw new InvalidDataException("bad decrypt: wrong key or IV, or corrupt data (the PKCS#7 padding does not check)");
        }

        return pad;
    }

    private static byte[] Take(ref byte[] input, int length, string what)
    {
        if (input.Length < length)
        {
            throw new InvalidDataException($"input too short to hold the {what}");
        }

        byte[] head = input[..length];
        input = input[length..];
        return head;
    }

    private static byte[] ReadAll(Stream source)
    {
        using var memory = new MemoryStream();
        source.CopyTo(memory);
        return memory.ToArray();
    }
}
