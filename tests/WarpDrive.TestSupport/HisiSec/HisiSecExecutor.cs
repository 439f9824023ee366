using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using WarpDrive.Abi.Uacce;
using WarpDrive.TestSupport.HisiQm;

namespace WarpDrive.TestSupport.HisiSec;

/// <summary>Runs SEC type-2 BDs for one queue: a cipher (AES, SM4 or 3DES in ECB, CBC or XTS, computed here over
/// BouncyCastle's block primitives), a hash or HMAC of one whole message (BouncyCastle's digests) or AES-GCM or AES-CCM
/// (<see cref="HisiSecAead"/>), reading and
/// writing the addresses the BD names (SVA; flat buffers or SGL chains). What the engine refuses gets a non-zero error
/// type: another BD type or scene, an SGL chain it cannot read, modes a type-2 BD does not carry, a key-length code the cipher lacks, a length that is zero, too
/// long or not whole blocks, a missing address, a long-hash BD (UADK sends only single-block hashes of one byte or
/// more to a type-2 BD without them).</summary>
internal sealed unsafe class HisiSecExecutor(HisiSecModel model) : IHisiQmEngine
{
    /// <summary>The model's error type for a BD the engine refuses (the hardware's codes are not public; drivers only
    /// test for non-zero, as UADK's <c>parse_cipher_bd2</c> does).</summary>
    public const byte ErrorBadBd = 0x1;

    /// <summary>The model's error type for a request whose memory it could not use.</summary>
    public const byte ErrorModel = 0x3f;

    public void Execute(byte* slot)
    {
        var entry = (HisiSecSqe*)slot;
        HisiSecSqe bd = *entry; // the engine reads the BD once
        byte error;
        ushort icv = 0;
        try
        {
            error = Run(in bd, ref icv);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = ErrorModel; // the engine answers a BD it cannot run; it does not die
        }

        entry->ErrorType = model.ForcedErrorType != 0 ? model.ForcedErrorType : error;
        ushort done = model.ClearsDoneFlag ? (ushort)0 : HisiSecSqe.Done;
        entry->DoneFlag = (ushort)((bd.DoneFlag & ~(HisiSecSqe.Done | HisiSecSqe.IcvMask)) | (icv << 1) | done);
        entry->Tag = model.ForcedTag ?? bd.Tag;
    }

    public void Dispose()
    {
    }

    private static byte Run(in HisiSecSqe bd, ref ushort icv)
    {
        int type = bd.TypeAuthCipher & 0xf;
        int cipher = (bd.TypeAuthCipher >> HisiSecSqe.CipherShift) & 0x3;
        int auth = (bd.TypeAuthCipher >> HisiSecSqe.AuthShift) & 0x3;
        int scene = (bd.SdsSaType >> HisiSecSqe.SceneShift) & 0xf;
        if (type != HisiSecSqe.BdType2 || scene != HisiSecSqe.SceneIpsec || ((bd.SdmAddrType & HisiSecSqe.DestinationSgl) != 0 && auth != 0))
        {
            return ErrorBadBd;
        }

        var mode = (HisiSecCipherMode)((bd.CipherModeKeyLength >> HisiSecSqe.CipherModeShift) & 0xf);
        bool aead = mode is HisiSecCipherMode.Ccm or HisiSecCipherMode.Gcm;
        return (cipher, auth) switch
        {
            (HisiSecSqe.CipherEncrypt or HisiSecSqe.CipherDecrypt, 0) when aead => HisiSecAead.Run(in bd, cipher == HisiSecSqe.CipherEncrypt, ref icv),
            (HisiSecSqe.CipherEncrypt or HisiSecSqe.CipherDecrypt, 0) => Cipher(in bd, cipher == HisiSecSqe.CipherEncrypt),
            (0, HisiSecSqe.AuthCalculate) => Digest(in bd),
            _ => ErrorBadBd, // cipher and HMAC together (authenc) are not modelled
        };
    }

    private static byte Cipher(in HisiSecSqe bd, bool encrypt)
    {
        var algorithm = (HisiSecCipherAlgorithm)(bd.CipherAlgorithm & 0xf);
        var mode = (HisiSecCipherMode)((bd.CipherModeKeyLength >> HisiSecSqe.CipherModeShift) & 0xf);
        int keyCode = (bd.CipherModeKeyLength >> HisiSecSqe.CipherKeyLengthShift) & 0x7;
        uint length = bd.CipherLengthIvHigh & HisiSecSqe.LengthMask;
        bool destination = ((bd.SdsSaType >> HisiSecSqe.DestinationEnableShift) & 0x3) == 1;
        int keyLength = (algorithm, keyCode) switch
        {
            (HisiSecCipherAlgorithm.Aes, HisiSecSqe.KeyLength128) or (HisiSecCipherAlgorithm.Sm4, HisiSecSqe.KeyLength128) => 16,
            (HisiSecCipherAlgorithm.Aes, HisiSecSqe.KeyLength192) or (HisiSecCipherAlgorithm.TripleDes, HisiSecSqe.KeyLength192) => 24,
            (HisiSecCipherAlgorithm.Aes, HisiSecSqe.KeyLength256) => 32,
            _ => 0,
        };
        int block = algorithm == HisiSecCipherAlgorithm.TripleDes ? 8 : 16;
        bool xts = mode == HisiSecCipherMode.Xts;
        if (keyLength == 0 || !destination || length == 0 || length > HisiSecSqe.MaxInputLength
            || bd.SourceAddress == 0 || bd.DestinationAddress == 0 || bd.CipherKeyAddress == 0
            || mode is not (HisiSecCipherMode.Ecb or HisiSecCipherMode.Cbc or HisiSecCipherMode.Xts)
            || (mode != HisiSecCipherMode.Ecb && bd.CipherIvAddress == 0)
            || (xts ? length < 16 || algorithm == HisiSecCipherAlgorithm.TripleDes : length % block != 0))
        {
            return ErrorBadBd;
        }

        var key = new ReadOnlySpan<byte>((void*)bd.CipherKeyAddress, xts ? 2 * keyLength : keyLength);
        byte[]? data = Read(in bd, length); // a copy: source and destination may overlap
        if (data is null)
        {
            return ErrorBadBd;
        }

        byte[] iv = mode == HisiSecCipherMode.Ecb ? [] : new ReadOnlySpan<byte>((void*)bd.CipherIvAddress, xts ? 16 : block).ToArray();
        if (xts)
        {
            IBlockCipher data1 = Primitive(algorithm, key[..keyLength], encrypt);
            IBlockCipher tweak = Primitive(algorithm, key[keyLength..], forEncryption: true);
            Xts(data1, tweak, iv, data, encrypt);
        }
        else
        {
            IBlockCipher primitive = Primitive(algorithm, key, encrypt);
            if (mode == HisiSecCipherMode.Ecb)
            {
                for (int i = 0; i < data.Length; i += block)
                {
                    _ = primitive.ProcessBlock(data, i, data, i);
                }
            }
            else
            {
                Cbc(primitive, iv, data, encrypt);
            }
        }

        return Write(in bd, data) ? (byte)0 : ErrorBadBd;
    }

    /// <summary>The BD's source: a flat buffer, or an SGL chain that holds exactly <paramref name="length"/> bytes.</summary>
    internal static byte[]? Read(in HisiSecSqe bd, uint length)
    {
        if ((bd.SdsSaType & HisiSecSqe.SourceSgl) == 0)
        {
            return new ReadOnlySpan<byte>((void*)bd.SourceAddress, (int)length).ToArray();
        }

        var segments = new List<(nint Pointer, int Length)>();
        if (!HisiSglReader.Gather(bd.SourceAddress, 0, length, exact: true, segments))
        {
            return null;
        }

        byte[] data = new byte[length];
        int at = 0;
        foreach ((nint pointer, int n) in segments)
        {
            new ReadOnlySpan<byte>((void*)pointer, n).CopyTo(data.AsSpan(at));
            at += n;
        }

        return data;
    }

    /// <summary>Writes <paramref name="data"/> to the BD's destination: a flat buffer, or an SGL chain with room for it.</summary>
    internal static bool Write(in HisiSecSqe bd, byte[] data)
    {
        if ((bd.SdmAddrType & HisiSecSqe.DestinationSgl) == 0)
        {
            data.CopyTo(new Span<byte>((void*)bd.DestinationAddress, data.Length));
            return true;
        }

        var segments = new List<(nint Pointer, int Length)>();
        if (!HisiSglReader.Gather(bd.DestinationAddress, 0, (uint)data.Length, exact: true, segments))
        {
            return false;
        }

        int at = 0;
        foreach ((nint pointer, int n) in segments)
        {
            data.AsSpan(at, n).CopyTo(new Span<byte>((void*)pointer, n));
            at += n;
        }

        return true;
    }

    private static IBlockCipher Primitive(HisiSecCipherAlgorithm algorithm, ReadOnlySpan<byte> key, bool forEncryption)
    {
        IBlockCipher engine = algorithm switch
        {
            HisiSecCipherAlgorithm.Aes => new AesEngine(),
            HisiSecCipherAlgorithm.Sm4 => new SM4Engine(),
            _ => new DesEdeEngine(),
        };
        engine.Init(forEncryption, new KeyParameter(key));
        return engine;
    }

    private static void Cbc(IBlockCipher primitive, byte[] iv, byte[] data, bool encrypt)
    {
        int block = iv.Length;
        byte[] chain = (byte[])iv.Clone(), saved = new byte[block];
        for (int i = 0; i < data.Length; i += block)
        {
            if (encrypt)
            {
                Xor(data.AsSpan(i, block), chain);
                _ = primitive.ProcessBlock(data, i, data, i);
                data.AsSpan(i, block).CopyTo(chain);
            }
            else
            {
                data.AsSpan(i, block).CopyTo(saved);
                _ = primitive.ProcessBlock(data, i, data, i);
                Xor(data.AsSpan(i, block), chain);
                saved.CopyTo(chain, 0);
            }
        }
    }

    /// <summary>XTS (IEEE 1619) with ciphertext stealing for a partial last block.</summary>
    private static void Xts(IBlockCipher primitive, IBlockCipher tweakCipher, byte[] iv, byte[] data, bool encrypt)
    {
        byte[] t = new byte[16];
        _ = tweakCipher.ProcessBlock(iv, 0, t, 0);
        int whole = data.Length / 16, tail = data.Length % 16;
        int plain = tail == 0 ? whole : whole - 1; // the blocks before the stealing pair
        for (int b = 0; b < plain; b++)
        {
            XtsBlock(primitive, data.AsSpan(b * 16, 16), t);
            Double(t);
        }

        if (tail == 0)
        {
            return;
        }

        // The last whole block and the partial one: decryption uses the later tweak first.
        byte[] t1 = (byte[])t.Clone();
        Double(t1);
        Span<byte> last = data.AsSpan((whole - 1) * 16, 16);
        Span<byte> partial = data.AsSpan(whole * 16, tail);
        byte[] mixed = new byte[16];
        XtsBlock(primitive, last, encrypt ? t : t1);
        last[..tail].CopyTo(mixed);
        Span<byte> stolen = last[tail..].ToArray();
        partial.CopyTo(mixed);
        stolen.CopyTo(mixed.AsSpan(tail));
        last[..tail].CopyTo(partial);
        XtsBlock(primitive, mixed, encrypt ? t1 : t);
        mixed.CopyTo(last);
    }

    private static void XtsBlock(IBlockCipher primitive, Span<byte> block, byte[] t)
    {
        byte[] buffer = block.ToArray();
        Xor(buffer, t);
        _ = primitive.ProcessBlock(buffer, 0, buffer, 0);
        Xor(buffer, t);
        buffer.CopyTo(block);
    }

    /// <summary>Multiplies the tweak by α in GF(2^128), little-endian as IEEE 1619 orders it.</summary>
    private static void Double(byte[] t)
    {
        int carry = 0;
        for (int i = 0; i < 16; i++)
        {
            int next = t[i] >> 7;
            t[i] = (byte)((t[i] << 1) | carry);
            carry = next;
        }

        if (carry != 0)
        {
            t[0] ^= 0x87;
        }
    }

    private static void Xor(Span<byte> data, ReadOnlySpan<byte> with)
    {
        for (int i = 0; i < data.Length; i++)
        {
            data[i] ^= with[i];
        }
    }

    private static byte Digest(in HisiSecSqe bd)
    {
        var algorithm = (HisiSecAuthAlgorithm)((bd.MacKeyAlg >> HisiSecSqe.AuthAlgorithmShift) & HisiSecSqe.AuthAlgorithmMask);
        int macBytes = (int)(bd.MacKeyAlg & HisiSecSqe.MacLengthMask) * 4;
        int keyBytes = (int)((bd.MacKeyAlg >> HisiSecSqe.AuthKeyLengthShift) & HisiSecSqe.AuthKeyLengthMask) * 4;
        uint length = bd.AuthLengthIvLow & HisiSecSqe.LengthMask;
        (IDigest? digest, bool hmac) = algorithm switch
        {
            HisiSecAuthAlgorithm.Md5 or HisiSecAuthAlgorithm.HmacMd5 => ((IDigest)new MD5Digest(), algorithm == HisiSecAuthAlgorithm.HmacMd5),
            HisiSecAuthAlgorithm.Sha1 or HisiSecAuthAlgorithm.HmacSha1 => (new Sha1Digest(), algorithm == HisiSecAuthAlgorithm.HmacSha1),
            HisiSecAuthAlgorithm.Sha224 or HisiSecAuthAlgorithm.HmacSha224 => (new Sha224Digest(), algorithm == HisiSecAuthAlgorithm.HmacSha224),
            HisiSecAuthAlgorithm.Sha256 or HisiSecAuthAlgorithm.HmacSha256 => (new Sha256Digest(), algorithm == HisiSecAuthAlgorithm.HmacSha256),
            HisiSecAuthAlgorithm.Sha384 or HisiSecAuthAlgorithm.HmacSha384 => (new Sha384Digest(), algorithm == HisiSecAuthAlgorithm.HmacSha384),
            HisiSecAuthAlgorithm.Sha512 or HisiSecAuthAlgorithm.HmacSha512 => (new Sha512Digest(), algorithm == HisiSecAuthAlgorithm.HmacSha512),
            HisiSecAuthAlgorithm.Sm3 or HisiSecAuthAlgorithm.HmacSm3 => (new SM3Digest(), algorithm == HisiSecAuthAlgorithm.HmacSm3),
            _ => ((IDigest?)null, false),
        };
        if (digest is null || macBytes == 0 || macBytes > digest.GetDigestSize() || length == 0 || length > HisiSecSqe.MaxInputLength
            || (bd.AiApdCs & HisiSecSqe.AuthIvMask) != 0 || bd.LongAuthDataLength != 0
            || bd.SourceAddress == 0 || bd.MacAddress == 0 || (hmac ? keyBytes == 0 || bd.AuthKeyAddress == 0 : keyBytes != 0))
        {
            return ErrorBadBd;
        }

        byte[]? input = Read(in bd, length);
        if (input is null)
        {
            return ErrorBadBd;
        }

        byte[] output = new byte[digest.GetDigestSize()];
        if (hmac)
        {
            var mac = new HMac(digest);
            mac.Init(new KeyParameter(new ReadOnlySpan<byte>((void*)bd.AuthKeyAddress, keyBytes)));
            mac.BlockUpdate(input);
            _ = mac.DoFinal(output, 0);
        }
        else
        {
            digest.BlockUpdate(input);
            _ = digest.DoFinal(output, 0);
        }

        output.AsSpan(0, macBytes).CopyTo(new Span<byte>((void*)bd.MacAddress, macBytes));
        return 0;
    }
}
