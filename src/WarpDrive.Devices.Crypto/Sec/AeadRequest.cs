using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Engines;
using CcmBlockCipher = Org.BouncyCastle.Crypto.Modes.CcmBlockCipher;
using GcmBlockCipher = Org.BouncyCastle.Crypto.Modes.GcmBlockCipher;
using Org.BouncyCastle.Crypto.Parameters;
using WarpDrive.Abi;
using WarpDrive.Devices.Crypto;

namespace WarpDrive.Devices.Sec;

/// <summary>Executes <see cref="Opcode.AeadEncrypt"/> (<c>Dst</c> = ciphertext || tag) and
/// <see cref="Opcode.AeadDecrypt"/> (<c>Src</c> = ciphertext || tag, <c>Dst</c> = plaintext): AES-GCM, AES-CCM and
/// ChaCha20-Poly1305 on the runtime, SM4-GCM (and AES-CCM of an empty message) on BouncyCastle. A wrong tag completes with AUTH_FAILED, produces nothing
/// and leaves zeros where the plaintext would have gone.</summary>
internal static class AeadRequest
{
    private const int MaxKey = 32;
    private const int MaxNonce = 13;

    private static readonly KeyedFactory<IDisposable> s_aesGcm = static (key, variant) => new AesGcm(key, variant & 0xFF);
    private static readonly KeyedFactory<IDisposable> s_aesCcm = static (key, _) => new AesCcm(key);
    private static readonly KeyedFactory<IDisposable> s_chaCha = static (key, _) => new ChaCha20Poly1305(key);

    public static CompletionStatus Execute(in Sqe sqe, HardwareQueue queue, SecEngineState state, ref Cqe cqe)
    {
        CompletionStatus status = Check(in sqe, queue, state.Memory, out CryptoParams p);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        Span<byte> key = stackalloc byte[MaxKey];
        key = key[..(int)p.KeyLen];
        Span<byte> nonce = stackalloc byte[MaxNonce];
        nonce = nonce[..(int)p.IvLen];
        try
        {
            status = CopyFields(state.Memory, queue, in p, key, nonce, out ReadOnlySpan<byte> aad);
            return status != CompletionStatus.Ok ? status : Process(in sqe, queue, state, (int)p.TagLen, key, nonce, aad, ref cqe);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The checks on the SQE and its parameter block: the algorithm, the fields it uses, the key, nonce and
    /// tag lengths; UNSUPPORTED where the runtime lacks the algorithm.</summary>
    private static CompletionStatus Check(in Sqe sqe, HardwareQueue queue, RequestMemory memory, out CryptoParams p)
    {
        p = default;
        var algorithm = (AeadAlgorithm)sqe.Algorithm;
        if (!SecChecks.BlockOnlyFieldsClear(in sqe) || algorithm is < AeadAlgorithm.AesGcm or > AeadAlgorithm.ChaCha20Poly1305)
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = CryptoRequest.ReadParams(memory, queue, in sqe, out p);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (!SecChecks.UnusedAreZero(in p, ParamFields.Key | ParamFields.Iv | ParamFields.Aad | ParamFields.Tag)
            || !LengthsValid(algorithm, p.KeyLen, p.IvLen, p.TagLen))
        {
            return CompletionStatus.BadRequest;
        }

        bool supported = algorithm switch
        {
            AeadAlgorithm.AesGcm => AesGcm.IsSupported,
            AeadAlgorithm.AesCcm => AesCcm.IsSupported,
            AeadAlgorithm.ChaCha20Poly1305 => ChaCha20Poly1305.IsSupported,
            _ => true,
        };
        return supported ? CompletionStatus.Ok : CompletionStatus.Unsupported;
    }

    /// <summary>Copies the key and nonce the parameter block names (what is used is what was read once) and maps the
    /// associated data.</summary>
    private static CompletionStatus CopyFields(RequestMemory memory, HardwareQueue queue, in CryptoParams p, Span<byte> key, Span<byte> nonce,
        out ReadOnlySpan<byte> aad)
    {
        aad = default;
        CompletionStatus status = CryptoRequest.MapSecret(memory, queue, p.Key, p.KeyLen, MaxKey, out ReadOnlySpan<byte> keyField);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        keyField.CopyTo(key);
        status = CryptoRequest.MapField(memory, queue, p.Iv, p.IvLen, MaxNonce, out ReadOnlySpan<byte> nonceField);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        nonceField.CopyTo(nonce);
        return CryptoRequest.MapField(memory, queue, p.Aad, p.AadLen, CryptoParams.MaxFieldLength, out aad);
    }

    /// <summary>Maps the source (ciphertext || tag to open) and the destination, seals or opens, writes back: zeros on a
    /// wrong tag.</summary>
    private static CompletionStatus Process(in Sqe sqe, HardwareQueue queue, SecEngineState state, int tagLength, ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, ref Cqe cqe)
    {
        var algorithm = (AeadAlgorithm)sqe.Algorithm;
        CompletionStatus status = SecSource.Map(state, queue, in sqe, out int count, out int total);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        bool encrypt = sqe.Opcode == Opcode.AeadEncrypt;
        int text = encrypt ? total : total - tagLength;
        if (text < 0 || (algorithm == AeadAlgorithm.AesCcm && !CcmLengthValid(nonce.Length, text)))
        {
            return CompletionStatus.BadRequest;
        }

        long needed = encrypt ? (long)total + tagLength : text;
        status = CryptoRequest.MapDestination(state.Memory, queue, in sqe, needed, out Span<byte> destination);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (!Transform(state, algorithm, encrypt, key, nonce, aad, count, total, text, destination))
        {
            // No plaintext is released, staged or in place; a staged output is committed as zeros, so that the
            // client's destination holds zeros wherever the device runs.
            CryptographicOperations.ZeroMemory(destination);
            state.Memory.CommitOutput((ulong)needed);
            return CompletionStatus.AuthFailed;
        }

        if (!state.Memory.CommitOutput((ulong)needed))
        {
            return CompletionStatus.AddressFault;
        }

        cqe.Produced = (uint)needed;
        cqe.Consumed = (uint)total;
        return CompletionStatus.Ok;
    }

    /// <summary>Seals the mapped source into ciphertext || tag, or opens ciphertext || tag into plaintext, on a source
    /// apart from <paramref name="destination"/> (staged if need be); false when the tag is wrong.</summary>
    private static bool Transform(SecEngineState state, AeadAlgorithm algorithm, bool encrypt, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> aad, int count, int total, int text, Span<byte> destination)
    {
        ReadOnlySpan<byte> source = SecSource.Contiguous(state, count, total, destination, out bool staged);
        try
        {
            return encrypt
                ? Seal(state, algorithm, key, nonce, aad, source, destination[..text], destination[text..])
                : Open(state, algorithm, key, nonce, aad, source[..text], source[text..], destination);
        }
        finally
        {
            if (staged)
            {
                state.ClearStaging(total);
            }
        }
    }

    private static bool Seal(SecEngineState state, AeadAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag)
    {
        int variant = ((int)algorithm << 8) | tag.Length;
        switch (algorithm)
        {
            case AeadAlgorithm.AesGcm:
                ((AesGcm)state.Aeads.Get(key, variant, s_aesGcm)).Encrypt(nonce, plaintext, ciphertext, tag, aad);
                break;
            case AeadAlgorithm.AesCcm when plaintext.IsEmpty:
                CcmBlockCipher ccm = EmptyCcm(true, key, nonce, aad, tag.Length);
                Span<byte> mac = stackalloc byte[16];
                int written = ccm.DoFinal(mac);
                mac[..written].CopyTo(tag);
                break;
            case AeadAlgorithm.AesCcm:
                ((AesCcm)state.Aeads.Get(key, variant, s_aesCcm)).Encrypt(nonce, plaintext, ciphertext, tag, aad);
                break;
            case AeadAlgorithm.ChaCha20Poly1305:
                ((ChaCha20Poly1305)state.Aeads.Get(key, variant, s_chaCha)).Encrypt(nonce, plaintext, ciphertext, tag, aad);
                break;
            default:
                GcmBlockCipher gcm = Sm4Gcm(true, key, nonce, aad, tag.Length);
                int n = gcm.ProcessBytes(plaintext, ciphertext);
                Span<byte> rest = stackalloc byte[32]; // at most a block of ciphertext and the tag
                int m = gcm.DoFinal(rest);
                rest[..(m - tag.Length)].CopyTo(ciphertext[n..]);
                rest[(m - tag.Length)..m].CopyTo(tag);
                rest.Clear();
                break;
        }

        return true;
    }

    private static bool Open(SecEngineState state, AeadAlgorithm algorithm, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce,
        ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext)
    {
        int variant = ((int)algorithm << 8) | tag.Length;
        try
        {
            switch (algorithm)
            {
                case AeadAlgorithm.AesGcm:
                    ((AesGcm)state.Aeads.Get(key, variant, s_aesGcm)).Decrypt(nonce, ciphertext, tag, plaintext, aad);
                    break;
                case AeadAlgorithm.AesCcm when ciphertext.IsEmpty:
                    CcmBlockCipher ccm = EmptyCcm(false, key, nonce, aad, tag.Length);
                    int n0 = ccm.ProcessBytes(tag, plaintext);
                    ccm.DoFinal(plaintext[n0..]);
                    break;
                case AeadAlgorithm.AesCcm:
                    ((AesCcm)state.Aeads.Get(key, variant, s_aesCcm)).Decrypt(nonce, ciphertext, tag, plaintext, aad);
                    break;
                case AeadAlgorithm.ChaCha20Poly1305:
                    ((ChaCha20Poly1305)state.Aeads.Get(key, variant, s_chaCha)).Decrypt(nonce, ciphertext, tag, plaintext, aad);
                    break;
                default:
                    GcmBlockCipher gcm = Sm4Gcm(false, key, nonce, aad, tag.Length);
                    int n = gcm.ProcessBytes(ciphertext, plaintext);
                    n += gcm.ProcessBytes(tag, plaintext[n..]);
                    gcm.DoFinal(plaintext[n..]);
                    break;
            }
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        catch (InvalidCipherTextException)
        {
            return false; // BouncyCastle: mac check in GCM (CCM) failed
        }

        return true;
    }

    /// <summary>A fresh SM4-GCM (BouncyCastle refuses to reuse an instance's key and nonce for encryption, which a
    /// client may legitimately ask for twice).</summary>
    private static GcmBlockCipher Sm4Gcm(bool encrypt, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, int tagLength)
    {
        var gcm = new GcmBlockCipher(new SM4Engine());
        gcm.Init(encrypt, new AeadParameters(new KeyParameter(key), tagLength * 8, nonce.ToArray()));
        gcm.ProcessAadBytes(aad);
        return gcm;
    }

    /// <summary>AES-CCM for a message of no bytes, on BouncyCastle: OpenSSL releases before 3.0.22 fail CCM encryption
    /// of an empty plaintext (the runtime hands them a null buffer, which their CCM takes for a length-setting call),
    /// and that failure would be a request that no OpenSSL-backed device can serve. Only the tag is computed, so the
    /// speed of the managed cipher does not matter.</summary>
    private static CcmBlockCipher EmptyCcm(bool encrypt, ReadOnlySpan<byte> key, ReadOnlySpan<byte> nonce, ReadOnlySpan<byte> aad, int tagLength)
    {
        var ccm = new CcmBlockCipher(AesUtilities.CreateEngine());
        ccm.Init(encrypt, new AeadParameters(new KeyParameter(key), tagLength * 8, nonce.ToArray()));
        ccm.ProcessAadBytes(aad);
        return ccm;
    }

    private static bool LengthsValid(AeadAlgorithm algorithm, uint key, uint nonce, uint tag) => algorithm switch
    {
        AeadAlgorithm.AesGcm => key is 16 or 24 or 32 && nonce == 12 && tag is >= 12 and <= 16,
        AeadAlgorithm.AesCcm => key is 16 or 24 or 32 && nonce is >= 7 and <= 13 && tag is >= 4 and <= 16 && tag % 2 == 0,
        AeadAlgorithm.Sm4Gcm => key == 16 && nonce == 12 && tag is >= 12 and <= 16,
        _ => key == 32 && nonce == 12 && tag == 16,
    };

    /// <summary>CCM counts the message in 15 - nonce bytes (RFC 3610): with a 13-byte nonce at most 65535 bytes.</summary>
    private static bool CcmLengthValid(int nonceLength, int length)
    {
        int lengthBytes = 15 - nonceLength;
        return lengthBytes >= 4 || length < (1L << (8 * lengthBytes));
    }
}
