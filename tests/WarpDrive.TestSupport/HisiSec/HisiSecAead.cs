using System.Security.Cryptography;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.TestSupport.HisiSec;

/// <summary>The model's AES-GCM and AES-CCM on a type-2 BD, as UADK's <c>fill_aead_bd2</c> drives the engine: cipher
/// mode CCM or GCM with no authentication type, the ICV length in <c>icvw_kmode</c> bits 0-5, the source the associated
/// data (<c>cipher_src_offset</c> = <c>alen_ivllen</c> bytes) then the text (<c>clen_ivhlen</c> bytes), the destination as
/// long (the associated data copied through, then the output), the tag written to <c>mac_addr</c> (encryption) or checked
/// there (decryption: the result in the done flag's ICV field, <c>SEC_HW_ICV_ERR</c> on a mismatch, the plaintext written
/// regardless, as a streaming engine would). GCM reads a 12-byte IV at <c>c_ivin_addr</c>; CCM the counter block A1 there
/// and B0 at <c>a_ivin_addr</c>, which must be RFC 3610's for the nonce, tag, associated data and length. Computed with
/// the runtime's <see cref="AesGcm"/> and <see cref="AesCcm"/>; what they do not take (GCM tags under 12 bytes) is refused
/// as a malformed BD.</summary>
internal static unsafe class HisiSecAead
{
    /// <summary>The ICV field of a decryption whose tag matched (the model's choice: drivers, as UADK's
    /// <c>parse_aead_bd2</c>, test only for <see cref="HisiSecSqe.IcvError"/>).</summary>
    public const ushort IcvPass = 0x1;

    public static byte Run(in HisiSecSqe bd, bool encrypt, ref ushort icv)
    {
        var mode = (HisiSecCipherMode)((bd.CipherModeKeyLength >> HisiSecSqe.CipherModeShift) & 0xf);
        bool ccm = mode == HisiSecCipherMode.Ccm;
        int keyCode = (bd.CipherModeKeyLength >> HisiSecSqe.CipherKeyLengthShift) & 0x7;
        int keyLength = keyCode switch
        {
            HisiSecSqe.KeyLength128 => 16,
            HisiSecSqe.KeyLength192 => 24,
            HisiSecSqe.KeyLength256 => 32,
            _ => 0,
        };
        int tag = bd.CipherModeKeyLength & HisiSecSqe.IcvLengthMask;
        uint text = bd.CipherLengthIvHigh & HisiSecSqe.LengthMask, aad = bd.CipherSourceOffset;
        bool destination = ((bd.SdsSaType >> HisiSecSqe.DestinationEnableShift) & 0x3) == 1;
        bool digestFirst = (bd.SdsSaType & HisiSecSqe.DigestThenCipher) != 0;
        if ((HisiSecCipherAlgorithm)(bd.CipherAlgorithm & 0xf) != HisiSecCipherAlgorithm.Aes || keyLength == 0 || !destination
            || digestFirst == encrypt || bd.MacKeyAlg != 0 || bd.AuthSourceOffset != 0 || (bd.AuthLengthIvLow & HisiSecSqe.LengthMask) != aad
            || (ccm ? tag is < 4 or > 16 || tag % 2 != 0 || aad > HisiSecSqe.MaxCcmAadLength : tag is < 12 or > 16)
            || text == 0 || text + aad > HisiSecSqe.MaxInputLength
            || bd.SourceAddress == 0 || bd.DestinationAddress == 0 || bd.CipherKeyAddress == 0 || bd.CipherIvAddress == 0
            || bd.AuthIvAddress == 0 || bd.MacAddress == 0)
        {
            return HisiSecExecutor.ErrorBadBd;
        }

        byte[] nonce = ccm ? CcmNonce(in bd, tag, aad != 0, text) ?? [] : new ReadOnlySpan<byte>((void*)bd.CipherIvAddress, 12).ToArray();
        byte[]? source = HisiSecExecutor.Read(in bd, aad + text);
        if (nonce.Length == 0 || source is null)
        {
            return HisiSecExecutor.ErrorBadBd;
        }

        byte[] key = new ReadOnlySpan<byte>((void*)bd.CipherKeyAddress, keyLength).ToArray();
        ReadOnlySpan<byte> associated = source.AsSpan(0, (int)aad);
        byte[] output = new byte[aad + text];
        source.AsSpan(0, (int)aad).CopyTo(output);
        Span<byte> result = output.AsSpan((int)aad);
        var mac = new Span<byte>((void*)bd.MacAddress, tag);
        if (encrypt)
        {
            Seal(ccm, key, tag, nonce, source.AsSpan((int)aad), result, mac, associated);
        }
        else
        {
            // Both modes cipher with a counter: sealing the ciphertext gives the plaintext, and sealing that gives the
            // tag the sender computed, which the engine compares with the one at mac_addr.
            Span<byte> expected = stackalloc byte[16];
            expected = expected[..tag];
            Seal(ccm, key, tag, nonce, source.AsSpan((int)aad), result, expected, associated);
            Seal(ccm, key, tag, nonce, result, new byte[text], expected, associated);
            icv = CryptographicOperations.FixedTimeEquals(expected, mac) ? IcvPass : HisiSecSqe.IcvError;
        }

        return HisiSecExecutor.Write(in bd, output) ? (byte)0 : HisiSecExecutor.ErrorBadBd;
    }

    private static void Seal(bool ccm, byte[] key, int tag, byte[] nonce, ReadOnlySpan<byte> plain, Span<byte> cipher, Span<byte> mac,
        ReadOnlySpan<byte> associated)
    {
        if (ccm)
        {
            using var aes = new AesCcm(key);
            aes.Encrypt(nonce, plain, cipher, mac, associated);
        }
        else
        {
            using var aes = new AesGcm(key, tag);
            aes.Encrypt(nonce, plain, cipher, mac, associated);
        }
    }

    /// <summary>The nonce of a CCM BD: A1 at <c>c_ivin_addr</c> (flags L - 1, the nonce, the counter 1) and B0 at
    /// <c>a_ivin_addr</c> must agree with the tag length, the presence of associated data and the text length; null when
    /// they do not.</summary>
    private static byte[]? CcmNonce(in HisiSecSqe bd, int tag, bool associated, uint text)
    {
        var counter = new ReadOnlySpan<byte>((void*)bd.CipherIvAddress, 16);
        var b0 = new ReadOnlySpan<byte>((void*)bd.AuthIvAddress, 16);
        int l = (counter[0] & 0x7) + 1, nonceLength = 15 - l;
        if ((counter[0] & ~0x7) != 0 || nonceLength is < 7 or > 13)
        {
            return null;
        }

        ulong count = 0, length = 0;
        for (int i = 16 - l; i < 16; i++)
        {
            count = (count << 8) | counter[i];
            length = (length << 8) | b0[i];
        }

        byte flags = (byte)((associated ? 0x40 : 0) | (((tag - 2) / 2) << 3) | (l - 1));
        return count == 1 && length == text && b0[0] == flags && b0.Slice(1, nonceLength).SequenceEqual(counter.Slice(1, nonceLength))
            ? counter.Slice(1, nonceLength).ToArray()
            : null;
    }
}
