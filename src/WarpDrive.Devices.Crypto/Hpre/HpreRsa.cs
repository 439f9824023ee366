using System.Globalization;
using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Encodings;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using WarpDrive.Abi;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace WarpDrive.Devices.Hpre;

/// <summary>The RSA opcodes (0x30-0x34). Keys with CRT factors and public keys run on the runtime's RSA (OpenSSL);
/// private keys without them, raw (unpadded) requests and OAEP with a label run on BouncyCastle.</summary>
internal static class HpreRsa
{
    /// <summary>Smallest and largest modulus <see cref="Opcode.RsaKeyGen"/> makes, in bits (multiples of 256).</summary>
    public const int MinKeyGenBits = 1024, MaxKeyGenBits = 4096;

    private const int DefaultExponent = 65537;

    /// <summary>What signing and verification check first: the padding and hash, the hash's length, the fields the
    /// operation does not use (<paramref name="unusedFieldsClear"/> for the one that differs), then the key.</summary>
    private static CompletionStatus BeginSignature(in HpreRequest request, bool unusedFieldsClear, out RsaPadding padding,
        out DigestAlgorithm hash, out HpreRsaKey? key)
    {
        padding = (RsaPadding)request.Sqe.Mode;
        hash = (DigestAlgorithm)request.Sqe.Hash;
        key = null;
        int hashSize = HpreHash.Size(hash);
        return padding is not (RsaPadding.Pkcs1 or RsaPadding.Pss) || hashSize == 0 || request.Sqe.SrcLen != (uint)hashSize
               || !unusedFieldsClear || !request.AadUnused
            ? CompletionStatus.BadRequest
            : HpreRsaKey.Get(request, out key);
    }

    public static CompletionStatus Sign(in HpreRequest request, out int produced)
    {
        produced = 0;
        Sqe sqe = request.Sqe;
        CompletionStatus status = BeginSignature(request, request.AuxUnused, out RsaPadding padding, out DigestAlgorithm hash, out HpreRsaKey? key);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (!key!.IsPrivate)
        {
            return CompletionStatus.BadRequest;
        }

        int k = key.ModulusBytes;
        status = Map(request, k, out ReadOnlySpan<byte> digest, out Span<byte> destination);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (key.SystemIsPrivate)
        {
            RSASignaturePadding scheme = padding == RsaPadding.Pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
            if (!key.System.TrySignHash(digest, destination, HpreHash.Name(hash), scheme, out produced) || produced != k)
            {
                throw new InvalidOperationException("RSA signature of unexpected size");
            }

            return CompletionStatus.Ok;
        }

        // Private key without CRT factors: BouncyCastle over the given digest.
        ISigner signer = padding == RsaPadding.Pss
            ? PssSigner.CreateRawSigner(new RsaBlindedEngine(), HpreHash.CreateDigest(hash))
            : new RsaDigestSigner(Prehash.ForDigest(HpreHash.CreateDigest(hash)), HpreHash.Oid(hash));
        signer.Init(true, new ParametersWithRandom(key.BcPrivate!, request.Random));
        signer.BlockUpdate(digest);
        HpreBytes.WriteFixed(signer.GenerateSignature(), destination[..k]);
        produced = k;
        return CompletionStatus.Ok;
    }

    public static CompletionStatus Verify(in HpreRequest request)
    {
        Sqe sqe = request.Sqe;
        CompletionStatus status = BeginSignature(request, request.DstUnused, out RsaPadding padding, out DigestAlgorithm hash, out HpreRsaKey? key);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (request.Params.AuxLen != (uint)key!.ModulusBytes)
        {
            return CompletionStatus.BadRequest;
        }

        status = request.MapSource(out ReadOnlySpan<byte> digest);
        if (status == CompletionStatus.Ok)
        {
            status = request.MapAux(out ReadOnlySpan<byte> signature);
            if (status == CompletionStatus.Ok)
            {
                RSASignaturePadding scheme = padding == RsaPadding.Pss ? RSASignaturePadding.Pss : RSASignaturePadding.Pkcs1;
                status = key.System.VerifyHash(digest, signature, HpreHash.Name(hash), scheme) ? CompletionStatus.Ok : CompletionStatus.AuthFailed;
            }
        }

        return status;
    }

    /// <summary>What encryption and decryption check first: the padding and hash, then the key.</summary>
    private static CompletionStatus BeginCipher(in HpreRequest request, out RsaPadding padding, out DigestAlgorithm hash, out HpreRsaKey? key)
    {
        padding = (RsaPadding)request.Sqe.Mode;
        hash = (DigestAlgorithm)request.Sqe.Hash;
        key = null;
        return CheckCipherRequest(request, padding, hash) ? HpreRsaKey.Get(request, out key) : CompletionStatus.BadRequest;
    }

    public static CompletionStatus Encrypt(in HpreRequest request, out int produced)
    {
        produced = 0;
        Sqe sqe = request.Sqe;
        CompletionStatus status = BeginCipher(request, out RsaPadding padding, out DigestAlgorithm hash, out HpreRsaKey? key);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        int k = key!.ModulusBytes;
        int hashSize = HpreHash.Size(hash);
        int maxInput = padding switch
        {
            RsaPadding.Raw => k,
            RsaPadding.Pkcs1 => k - 11,
            _ => k - (2 * hashSize) - 2,
        };
        if (sqe.SrcLen > (uint)maxInput || (padding == RsaPadding.Raw && sqe.SrcLen != (uint)k))
        {
            return CompletionStatus.BadRequest;
        }

        status = Map(request, k, out ReadOnlySpan<byte> source, out Span<byte> destination);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (padding == RsaPadding.Raw)
        {
            if (!key.IsBelowModulus(source))
            {
                return CompletionStatus.BadRequest;
            }

            var engine = new RsaEngine();
            engine.Init(true, key.BcPublic);
            HpreBytes.WriteFixed(engine.ProcessBlock(source.ToArray(), 0, k), destination[..k]);
        }
        else if (padding == RsaPadding.Oaep && request.Params.AadLen != 0)
        {
            status = request.MapAad(out ReadOnlySpan<byte> label);
            if (status != CompletionStatus.Ok)
            {
                return status;
            }

            var oaep = new OaepEncoding(new RsaEngine(), HpreHash.CreateDigest(hash), HpreHash.CreateDigest(hash), label.ToArray());
            oaep.Init(true, new ParametersWithRandom(key.BcPublic, request.Random));
            HpreBytes.WriteFixed(oaep.ProcessBlock(source.ToArray(), 0, source.Length), destination[..k]);
        }
        else
        {
            RSAEncryptionPadding scheme = padding == RsaPadding.Pkcs1 ? RSAEncryptionPadding.Pkcs1 : HpreHash.Oaep(hash);
            if (!key.System.TryEncrypt(source, destination, scheme, out int written) || written != k)
            {
                throw new InvalidOperationException("RSA ciphertext of unexpected size");
            }
        }

        produced = k;
        return CompletionStatus.Ok;
    }

    public static CompletionStatus Decrypt(in HpreRequest request, out int produced)
    {
        produced = 0;
        Sqe sqe = request.Sqe;
        CompletionStatus status = BeginCipher(request, out RsaPadding padding, out DigestAlgorithm hash, out HpreRsaKey? key);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        int k = key!.ModulusBytes;
        if (!key.IsPrivate || sqe.SrcLen != (uint)k)
        {
            return CompletionStatus.BadRequest;
        }

        status = request.MapSourceCopy(out ReadOnlySpan<byte> source);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (!key.IsBelowModulus(source))
        {
            // RFC 8017: out of range is a "decryption error" under a padding (a ciphertext made for another key often
            // is), the same answer as a padding that does not check; raw RSA has no such answer.
            return padding == RsaPadding.Raw ? CompletionStatus.BadRequest : CompletionStatus.AuthFailed;
        }

        if (padding == RsaPadding.Raw)
        {
            status = request.MapDestination(k, out Span<byte> destination);
            if (status == CompletionStatus.Ok)
            {
                var engine = new RsaBlindedEngine();
                engine.Init(false, new ParametersWithRandom(key.BcPrivate!, request.Random));
                HpreBytes.WriteFixed(engine.ProcessBlock(source.ToArray(), 0, k), destination[..k]);
                produced = k;
            }

            return status;
        }

        byte[]? message = null;
        try
        {
            if (key.SystemIsPrivate && request.Params.AadLen == 0)
            {
                RSAEncryptionPadding scheme = padding == RsaPadding.Pkcs1 ? RSAEncryptionPadding.Pkcs1 : HpreHash.Oaep(hash);
                message = key.System.Decrypt(source.ToArray(), scheme);
            }
            else
            {
                byte[] label = [];
                if (request.Params.AadLen != 0)
                {
                    status = request.MapAad(out ReadOnlySpan<byte> aad);
                    if (status != CompletionStatus.Ok)
                    {
                        return status;
                    }

                    label = aad.ToArray();
                }

                IAsymmetricBlockCipher cipher = padding == RsaPadding.Pkcs1
                    ? new Pkcs1Encoding(new RsaBlindedEngine())
                    : new OaepEncoding(new RsaBlindedEngine(), HpreHash.CreateDigest(hash), HpreHash.CreateDigest(hash), label);
                cipher.Init(false, new ParametersWithRandom(key.BcPrivate!, request.Random));
                message = cipher.ProcessBlock(source.ToArray(), 0, k);
            }
        }
        catch (Exception e) when (e is CryptographicException or InvalidCipherTextException or DataLengthException)
        {
            return CompletionStatus.AuthFailed; // the padding does not check: nothing is released
        }

        try
        {
            status = request.MapDestination(message.Length, out Span<byte> destination);
            if (status == CompletionStatus.Ok)
            {
                message.CopyTo(destination);
                produced = message.Length;
            }

            return status;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(message);
        }
    }

    public static CompletionStatus GenerateKey(in HpreRequest request, out int produced)
    {
        produced = 0;
        Sqe sqe = request.Sqe;
        int bits = (int)Math.Min(sqe.Arg, int.MaxValue);
        if (sqe.Mode != 0 || sqe.Hash != 0 || bits is < MinKeyGenBits or > MaxKeyGenBits || bits % 256 != 0
            || !request.SrcUnused || !request.AuxUnused || !request.AadUnused || request.Params.KeyLen > 8)
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = request.MapKey(out ReadOnlySpan<byte> exponentBytes);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        ulong exponent = DefaultExponent;
        if (!exponentBytes.IsEmpty)
        {
            exponent = 0;
            foreach (byte b in exponentBytes)
            {
                exponent = (exponent << 8) | b;
            }

            if (exponent < 3 || (exponent & 1) == 0)
            {
                return CompletionStatus.BadRequest;
            }
        }

        int k = bits / 8;
        int length = RsaKeyHeader.BlobLength(RsaKeyFormat.PrivateCrt, k);
        status = request.MapDestination(length, out Span<byte> destination);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        RSAParameters p;
        if (exponent == DefaultExponent)
        {
            using var rsa = RSA.Create(bits);
            p = rsa.ExportParameters(true);
        }
        else
        {
            var generator = new RsaKeyPairGenerator();
            generator.Init(new RsaKeyGenerationParameters(new BcBigInteger(exponent.ToString(CultureInfo.InvariantCulture)), request.Random, bits, 100));
            var key = (RsaPrivateCrtKeyParameters)generator.GenerateKeyPair().Private;
            p = new RSAParameters
            {
                Modulus = key.Modulus.ToByteArrayUnsigned(),
                Exponent = key.PublicExponent.ToByteArrayUnsigned(),
                D = key.Exponent.ToByteArrayUnsigned(),
                P = key.P.ToByteArrayUnsigned(),
                Q = key.Q.ToByteArrayUnsigned(),
                DP = key.DP.ToByteArrayUnsigned(),
                DQ = key.DQ.ToByteArrayUnsigned(),
                InverseQ = key.QInv.ToByteArrayUnsigned(),
            };
        }

        try
        {
            HpreRsaKey.WriteCrtBlob(p, k, destination[..length]);
        }
        finally
        {
            RsaKeyBlob.ZeroPrivate(p);
        }

        produced = length;
        return CompletionStatus.Ok;
    }

    /// <summary>Checks the fields of an encryption or decryption request that do not depend on the key.</summary>
    private static bool CheckCipherRequest(in HpreRequest request, RsaPadding padding, DigestAlgorithm hash)
    {
        if (!request.AuxUnused)
        {
            return false;
        }

        return padding switch
        {
            RsaPadding.Raw or RsaPadding.Pkcs1 => hash == DigestAlgorithm.None && request.AadUnused,
            RsaPadding.Oaep => HpreHash.Size(hash) != 0 && (request.Params.AadLen != 0 || request.Params.Aad == 0),
            _ => false,
        };
    }

    /// <summary>Maps the source and a destination of at least <paramref name="needed"/> bytes.</summary>
    private static CompletionStatus Map(in HpreRequest request, int needed, out ReadOnlySpan<byte> source, out Span<byte> destination)
    {
        destination = default;
        CompletionStatus status = request.MapSourceCopy(out source);
        return status == CompletionStatus.Ok ? request.MapDestination(needed, out destination) : status;
    }
}
