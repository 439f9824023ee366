using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using WarpDrive.Abi;
using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace WarpDrive.Devices.Hpre;

/// <summary>The ECC opcodes (0x40-0x45). ECDSA and ECDH on the NIST curves run on the runtime (OpenSSL), with the
/// imported keys cached per queue; X25519, Ed25519 and SM2 on BouncyCastle.</summary>
internal static class HpreEcc
{
    private const int KindEcdsaPrivate = 0x100, KindEcdsaPublic = 0x200, KindEcdhPrivate = 0x300;

    /// <summary>Bytes SM2 encryption adds to the message: C1 (65) and C3 (32).</summary>
    private const int Sm2Overhead = 65 + 32;

    private static readonly byte[] s_defaultSm2Id = "1234567812345678"u8.ToArray();

    public static CompletionStatus Sign(in HpreRequest request, out int produced)
    {
        produced = 0;
        var curve = (EccCurve)request.Sqe.Algorithm;
        int field = EccCurves.FieldBytes(curve);
        if (!CheckCommon(request, curve) || curve == EccCurve.X25519 || request.Params.KeyLen != (uint)field || !request.AuxUnused
            || (curve != EccCurve.Sm2 && !request.AadUnused)
            || (EccCurves.IsNist(curve) && request.Sqe.SrcLen is not (20 or 28 or 32 or 48 or 64)))
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = request.MapKey(out ReadOnlySpan<byte> key);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (EccCurves.IsNist(curve))
        {
            status = GetEcdsa(request, curve, key, publicKey: false, out ECDsa? ecdsa);
            if (status == CompletionStatus.Ok)
            {
                status = Map(request, 2 * field, out ReadOnlySpan<byte> hash, out Span<byte> destination);
                if (status == CompletionStatus.Ok)
                {
                    if (!ecdsa!.TrySignHash(hash, destination, out produced) || produced != 2 * field)
                    {
                        throw new InvalidOperationException("ECDSA signature of unexpected size");
                    }
                }
            }

            return status;
        }

        if (curve == EccCurve.Sm2 && !EccCurves.IsValidScalar(curve, key))
        {
            return CompletionStatus.BadRequest;
        }

        status = Map(request, 64, out ReadOnlySpan<byte> message, out Span<byte> signatureOut);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        ISigner signer;
        if (curve == EccCurve.Ed25519)
        {
            signer = new Ed25519Signer();
            signer.Init(true, new Ed25519PrivateKeyParameters(key)); // from the span: no heap copy of the seed besides the key object's own
        }
        else
        {
            status = Sm2Id(request, out byte[] id);
            if (status != CompletionStatus.Ok)
            {
                return status;
            }

            signer = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
            var privateKey = new ECPrivateKeyParameters(new BcBigInteger(1, key), EccCurves.Sm2);
            signer.Init(true, new ParametersWithID(new ParametersWithRandom(privateKey, request.Random), id));
        }

        signer.BlockUpdate(message);
        byte[] signature = signer.GenerateSignature();
        signature.CopyTo(signatureOut);
        produced = signature.Length;
        return CompletionStatus.Ok;
    }

    public static CompletionStatus Verify(in HpreRequest request)
    {
        var curve = (EccCurve)request.Sqe.Algorithm;
        int field = EccCurves.FieldBytes(curve);
        if (!CheckCommon(request, curve) || curve == EccCurve.X25519 || request.Params.KeyLen != (uint)EccCurves.PublicBytes(curve)
            || request.Params.AuxLen != (uint)(2 * field) || !request.DstUnused || (curve != EccCurve.Sm2 && !request.AadUnused)
            || (EccCurves.IsNist(curve) && request.Sqe.SrcLen is not (20 or 28 or 32 or 48 or 64)))
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = request.MapKey(out ReadOnlySpan<byte> key);
        if (status == CompletionStatus.Ok)
        {
            status = request.MapSource(out ReadOnlySpan<byte> input);
            if (status == CompletionStatus.Ok)
            {
                status = request.MapAux(out ReadOnlySpan<byte> signature);
                if (status == CompletionStatus.Ok)
                {
                    status = Verify(request, curve, key, input, signature);
                }
            }
        }

        return status;
    }

    public static CompletionStatus GenerateKey(in HpreRequest request, out int produced)
    {
        produced = 0;
        var curve = (EccCurve)request.Sqe.Algorithm;
        int field = EccCurves.FieldBytes(curve);
        if (!CheckCommon(request, curve) || !request.KeyUnused || !request.AuxUnused || !request.AadUnused || !request.SrcUnused)
        {
            return CompletionStatus.BadRequest;
        }

        int length = field + EccCurves.PublicBytes(curve);
        CompletionStatus status = request.MapDestination(length, out Span<byte> destination);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        Span<byte> privateOut = destination[..field], publicOut = destination[field..length];
        switch (curve)
        {
            case EccCurve.X25519:
            {
                var key = new X25519PrivateKeyParameters(request.Random);
                key.Encode(privateOut);
                key.GeneratePublicKey().Encode(publicOut);
                break;
            }

            case EccCurve.Ed25519:
            {
                var key = new Ed25519PrivateKeyParameters(request.Random);
                key.Encode(privateOut);
                key.GeneratePublicKey().Encode(publicOut);
                break;
            }

            case EccCurve.Sm2:
            {
                var generator = new ECKeyPairGenerator();
                generator.Init(new ECKeyGenerationParameters(EccCurves.Sm2, request.Random));
                AsymmetricCipherKeyPair pair = generator.GenerateKeyPair();
                HpreBytes.WriteFixed(((ECPrivateKeyParameters)pair.Private).D, privateOut);
                ((ECPublicKeyParameters)pair.Public).Q.GetEncoded(false).CopyTo(publicOut);
                break;
            }

            default:
            {
                using var key = ECDsa.Create(EccCurves.NistCurve(curve));
                ECParameters p = key.ExportParameters(true);
                HpreBytes.WriteFixed(p.D, privateOut);
                publicOut[0] = 4;
                HpreBytes.WriteFixed(p.Q.X, publicOut.Slice(1, field));
                HpreBytes.WriteFixed(p.Q.Y, publicOut.Slice(1 + field, field));
                CryptographicOperations.ZeroMemory(p.D);
                break;
            }
        }

        produced = length;
        return CompletionStatus.Ok;
    }

    public static CompletionStatus Agree(in HpreRequest request, out int produced)
    {
        produced = 0;
        var curve = (EccCurve)request.Sqe.Algorithm;
        int field = EccCurves.FieldBytes(curve);
        if (!CheckCommon(request, curve) || !(EccCurves.IsNist(curve) || curve == EccCurve.X25519) || request.Params.KeyLen != (uint)field
            || request.Sqe.SrcLen != (uint)EccCurves.PublicBytes(curve) || !request.AuxUnused || !request.AadUnused)
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = request.MapKey(out ReadOnlySpan<byte> key);
        if (status == CompletionStatus.Ok)
        {
            status = Map(request, field, out ReadOnlySpan<byte> peer, out Span<byte> destination);
            if (status == CompletionStatus.Ok)
            {
                status = curve == EccCurve.X25519 ? AgreeX25519(key, peer, destination) : AgreeNist(request, curve, key, peer, destination);
                produced = status == CompletionStatus.Ok ? field : 0;
            }
        }

        return status;
    }

    public static CompletionStatus Encrypt(in HpreRequest request, out int produced)
    {
        produced = 0;
        var curve = (EccCurve)request.Sqe.Algorithm;
        if (!CheckCommon(request, curve) || curve != EccCurve.Sm2 || request.Params.KeyLen != (uint)EccCurves.PublicBytes(curve)
            || request.Sqe.SrcLen == 0 || request.Sqe.SrcLen > int.MaxValue - Sm2Overhead || !request.AuxUnused || !request.AadUnused)
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = request.MapKey(out ReadOnlySpan<byte> key);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        ECPublicKeyParameters? publicKey = Sm2PublicKey(key);
        if (publicKey is null)
        {
            return CompletionStatus.KeyRejected; // not 04||X||Y of a point of the curve
        }

        int length = (int)request.Sqe.SrcLen + Sm2Overhead;
        status = Map(request, length, out ReadOnlySpan<byte> message, out Span<byte> destination);
        if (status == CompletionStatus.Ok)
        {
            var engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
            engine.Init(true, new ParametersWithRandom(publicKey, request.Random));
            byte[] ciphertext = engine.ProcessBlock(message.ToArray(), 0, message.Length);
            ciphertext.CopyTo(destination);
            produced = ciphertext.Length;
        }

        return status;
    }

    public static CompletionStatus Decrypt(in HpreRequest request, out int produced)
    {
        produced = 0;
        var curve = (EccCurve)request.Sqe.Algorithm;
        if (!CheckCommon(request, curve) || curve != EccCurve.Sm2 || request.Params.KeyLen != (uint)EccCurves.FieldBytes(curve)
            || request.Sqe.SrcLen <= Sm2Overhead || !request.AuxUnused || !request.AadUnused)
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = request.MapKey(out ReadOnlySpan<byte> key);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (!EccCurves.IsValidScalar(curve, key))
        {
            return CompletionStatus.BadRequest;
        }

        int length = (int)request.Sqe.SrcLen - Sm2Overhead;
        status = Map(request, length, out ReadOnlySpan<byte> ciphertext, out Span<byte> destination);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        byte[] message;
        try
        {
            var engine = new SM2Engine(SM2Engine.Mode.C1C3C2);
            engine.Init(false, new ECPrivateKeyParameters(new BcBigInteger(1, key), EccCurves.Sm2));
            message = engine.ProcessBlock(ciphertext.ToArray(), 0, ciphertext.Length);
        }
        catch (Exception e) when (e is InvalidCipherTextException or ArgumentException)
        {
            return CompletionStatus.AuthFailed; // C3 does not match, or C1 is not a point of the curve
        }

        message.CopyTo(destination);
        produced = message.Length;
        CryptographicOperations.ZeroMemory(message);
        return CompletionStatus.Ok;
    }

    /// <summary>Checks what every ECC request shares: a known curve, no Mode, Hash or Arg.</summary>
    private static bool CheckCommon(in HpreRequest request, EccCurve curve) =>
        EccCurves.FieldBytes(curve) != 0 && request.Sqe.Mode == 0 && request.Sqe.Hash == 0;

    private static CompletionStatus Verify(in HpreRequest request, EccCurve curve, ReadOnlySpan<byte> key, ReadOnlySpan<byte> input,
        ReadOnlySpan<byte> signature)
    {
        if (EccCurves.IsNist(curve))
        {
            CompletionStatus status = GetEcdsa(request, curve, key, publicKey: true, out ECDsa? ecdsa);
            if (status == CompletionStatus.Ok)
            {
                status = ecdsa!.VerifyHash(input, signature) ? CompletionStatus.Ok : CompletionStatus.AuthFailed;
            }

            return status;
        }

        ISigner verifier;
        if (curve == EccCurve.Ed25519)
        {
            Ed25519PublicKeyParameters publicKey;
            try
            {
                publicKey = new Ed25519PublicKeyParameters(key.ToArray(), 0);
            }
            catch (ArgumentException)
            {
                return CompletionStatus.KeyRejected; // not a point of the curve
            }

            verifier = new Ed25519Signer();
            verifier.Init(false, publicKey);
        }
        else
        {
            ECPublicKeyParameters? publicKey = Sm2PublicKey(key);
            if (publicKey is null)
            {
                return CompletionStatus.KeyRejected;
            }

            CompletionStatus status = Sm2Id(request, out byte[] id);
            if (status != CompletionStatus.Ok)
            {
                return status;
            }

            verifier = new SM2Signer(PlainDsaEncoding.Instance, new SM3Digest());
            verifier.Init(false, new ParametersWithID(publicKey, id));
        }

        verifier.BlockUpdate(input);
        bool valid;
        try
        {
            valid = verifier.VerifySignature(signature.ToArray());
        }
        catch (ArgumentException)
        {
            valid = false; // r or s out of range
        }

        return valid ? CompletionStatus.Ok : CompletionStatus.AuthFailed;
    }

    private static CompletionStatus AgreeX25519(ReadOnlySpan<byte> key, ReadOnlySpan<byte> peer, Span<byte> destination)
    {
        var agreement = new X25519Agreement();
        agreement.Init(new X25519PrivateKeyParameters(key)); // from the span: no heap copy besides the key object's own
        byte[] secret = new byte[agreement.AgreementSize];
        try
        {
            agreement.CalculateAgreement(new X25519PublicKeyParameters(peer.ToArray(), 0), secret, 0);
        }
        catch (InvalidOperationException)
        {
            return CompletionStatus.KeyRejected; // a low-order peer key: the shared secret would be all zeros
        }

        secret.CopyTo(destination);
        CryptographicOperations.ZeroMemory(secret);
        return CompletionStatus.Ok;
    }

    private static CompletionStatus AgreeNist(in HpreRequest request, EccCurve curve, ReadOnlySpan<byte> key, ReadOnlySpan<byte> peer,
        Span<byte> destination)
    {
        CompletionStatus status = GetEcdh(request, curve, key, out ECDiffieHellman? ecdh);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (peer[0] != 4)
        {
            return CompletionStatus.BadRequest;
        }

        using var peerKey = ECDiffieHellman.Create();
        try
        {
            peerKey.ImportParameters(EccCurves.NistParameters(curve, peer, publicKey: true));
        }
        catch (CryptographicException)
        {
            return CompletionStatus.KeyRejected; // not a point of the curve
        }

        using ECDiffieHellmanPublicKey peerPublic = peerKey.PublicKey;
        byte[] secret = ecdh!.DeriveRawSecretAgreement(peerPublic);
        HpreBytes.WriteFixed(secret, destination[..EccCurves.FieldBytes(curve)]);
        CryptographicOperations.ZeroMemory(secret);
        return CompletionStatus.Ok;
    }

    /// <summary>The queue's imported ECDSA key for <paramref name="key"/> (a scalar, or 04||X||Y).</summary>
    private static CompletionStatus GetEcdsa(in HpreRequest request, EccCurve curve, ReadOnlySpan<byte> key, bool publicKey, out ECDsa? ecdsa)
    {
        int kind = (publicKey ? KindEcdsaPublic : KindEcdsaPrivate) | (int)curve;
        ecdsa = request.Keys.Find(kind, key) as ECDsa;
        if (ecdsa is not null)
        {
            return CompletionStatus.Ok;
        }

        if (!IsWellFormed(curve, key, publicKey))
        {
            return CompletionStatus.BadRequest;
        }

        var created = ECDsa.Create();
        ECParameters p = EccCurves.NistParameters(curve, key, publicKey);
        try
        {
            created.ImportParameters(p);
        }
        catch (CryptographicException)
        {
            created.Dispose();
            return CompletionStatus.KeyRejected; // a point not on the curve
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p.D);
        }

        request.Keys.Add(kind, key, created);
        ecdsa = created;
        return CompletionStatus.Ok;
    }

    /// <summary>The queue's imported ECDH private key for the scalar <paramref name="key"/>.</summary>
    private static CompletionStatus GetEcdh(in HpreRequest request, EccCurve curve, ReadOnlySpan<byte> key, out ECDiffieHellman? ecdh)
    {
        int kind = KindEcdhPrivate | (int)curve;
        ecdh = request.Keys.Find(kind, key) as ECDiffieHellman;
        if (ecdh is not null)
        {
            return CompletionStatus.Ok;
        }

        if (!IsWellFormed(curve, key, publicKey: false))
        {
            return CompletionStatus.BadRequest;
        }

        var created = ECDiffieHellman.Create();
        ECParameters p = EccCurves.NistParameters(curve, key, publicKey: false);
        try
        {
            created.ImportParameters(p);
        }
        catch (CryptographicException)
        {
            created.Dispose();
            return CompletionStatus.KeyRejected;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(p.D);
        }

        request.Keys.Add(kind, key, created);
        ecdh = created;
        return CompletionStatus.Ok;
    }

    private static bool IsWellFormed(EccCurve curve, ReadOnlySpan<byte> key, bool publicKey) => publicKey
        ? key.Length == EccCurves.PublicBytes(curve) && key[0] == 4
        : key.Length == EccCurves.FieldBytes(curve) && EccCurves.IsValidScalar(curve, key);

    private static ECPublicKeyParameters? Sm2PublicKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != EccCurves.PublicBytes(EccCurve.Sm2) || key[0] != 4)
        {
            return null;
        }

        try
        {
            return new ECPublicKeyParameters(EccCurves.Sm2.Curve.DecodePoint(key.ToArray()), EccCurves.Sm2);
        }
        catch (ArgumentException)
        {
            return null; // not a point of the curve
        }
    }

    /// <summary>The SM2 signer's ID: <c>Aad</c>, or the default 1234567812345678.</summary>
    private static CompletionStatus Sm2Id(in HpreRequest request, out byte[] id)
    {
        id = s_defaultSm2Id;
        if (request.Params.AadLen == 0)
        {
            return request.Params.Aad == 0 ? CompletionStatus.Ok : CompletionStatus.BadRequest;
        }

        if (request.Params.AadLen > 8191)
        {
            return CompletionStatus.BadRequest; // ENTL is a 16-bit count of bits
        }

        CompletionStatus status = request.MapAad(out ReadOnlySpan<byte> aad);
        id = aad.ToArray();
        return status;
    }

    private static CompletionStatus Map(in HpreRequest request, int needed, out ReadOnlySpan<byte> source, out Span<byte> destination)
    {
        destination = default;
        CompletionStatus status = request.MapSource(out source);
        return status == CompletionStatus.Ok ? request.MapDestination(needed, out destination) : status;
    }
}
