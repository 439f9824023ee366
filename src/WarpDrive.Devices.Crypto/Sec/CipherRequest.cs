using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Devices.Crypto;

namespace WarpDrive.Devices.Sec;

/// <summary>Executes <see cref="Opcode.CipherEncrypt"/> and <see cref="Opcode.CipherDecrypt"/>: AES, SM4 and 3DES in
/// ECB, CBC, CTR, XTS, OFB and CFB128, no padding. <c>Dst</c> receives exactly <c>SrcLen</c> bytes.</summary>
internal static class CipherRequest
{
    private const int MaxKey = 64;
    private const int MaxIv = 16;

    private enum Mode
    {
        Ecb,
        Cbc,
        Ctr,
        Xts,
        Ofb,
        Cfb,
    }

    public static CompletionStatus Execute(in Sqe sqe, HardwareQueue queue, SecEngineState state, ref Cqe cqe)
    {
        CompletionStatus status = Check(in sqe, queue, state, out CipherFamily family, out Mode mode, out CryptoParams p);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        // Copy key and IV once: what is checked (3DES weak keys) is what is used.
        Span<byte> key = stackalloc byte[MaxKey];
        Span<byte> iv = stackalloc byte[MaxIv];
        key = key[..(int)p.KeyLen];
        iv = iv[..(int)p.IvLen];
        try
        {
            status = CopySecrets(state.Memory, queue, in p, key, iv);
            if (status != CompletionStatus.Ok)
            {
                return status;
            }

            return family == CipherFamily.TripleDes && IsWeakTripleDesKey(key)
                ? CompletionStatus.BadRequest // degenerates to single DES; the runtime refuses it
                : Process(in sqe, queue, state, family, mode, key, iv, ref cqe);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(iv);
        }
    }

    /// <summary>The checks on the SQE and its parameter block: the algorithm, the fields it uses, the key and IV
    /// lengths.</summary>
    private static CompletionStatus Check(in Sqe sqe, HardwareQueue queue, SecEngineState state, out CipherFamily family, out Mode mode,
        out CryptoParams p)
    {
        p = default;
        if (!SecChecks.BlockOnlyFieldsClear(in sqe) || !TryDescribe((CipherAlgorithm)sqe.Algorithm, out family, out mode))
        {
            family = default;
            mode = default;
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = CryptoRequest.ReadParams(state.Memory, queue, in sqe, out p);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        int ivLength = mode == Mode.Ecb ? 0 : BlockSize(family);
        return !SecChecks.UnusedAreZero(in p, ivLength == 0 ? ParamFields.Key : ParamFields.Key | ParamFields.Iv)
               || p.IvLen != ivLength || !KeyLengthValid(family, mode, p.KeyLen)
            ? CompletionStatus.BadRequest
            : CompletionStatus.Ok;
    }

    private static int BlockSize(CipherFamily family) => family == CipherFamily.TripleDes ? 8 : 16;

    /// <summary>Copies the key and IV the parameter block names into <paramref name="key"/> and <paramref name="iv"/>.</summary>
    private static CompletionStatus CopySecrets(RequestMemory memory, HardwareQueue queue, in CryptoParams p, Span<byte> key, Span<byte> iv)
    {
        CompletionStatus status = CryptoRequest.MapSecret(memory, queue, p.Key, p.KeyLen, MaxKey, out ReadOnlySpan<byte> keyField);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        keyField.CopyTo(key);
        status = CryptoRequest.MapField(memory, queue, p.Iv, p.IvLen, MaxIv, out ReadOnlySpan<byte> ivField);
        if (status == CompletionStatus.Ok)
        {
            ivField.CopyTo(iv);
        }

        return status;
    }

    /// <summary>Maps the source (whole blocks; XTS at least one) and the destination, runs the cipher, writes back.</summary>
    private static CompletionStatus Process(in Sqe sqe, HardwareQueue queue, SecEngineState state, CipherFamily family, Mode mode,
        ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ref Cqe cqe)
    {
        CompletionStatus status = SecSource.Map(state, queue, in sqe, out int count, out int total);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (mode is Mode.Ecb or Mode.Cbc ? total % BlockSize(family) != 0 : mode == Mode.Xts && total < 16)
        {
            return CompletionStatus.BadRequest;
        }

        status = CryptoRequest.MapDestination(state.Memory, queue, in sqe, total, out Span<byte> destination);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        ReadOnlySpan<byte> source = SecSource.Contiguous(state, count, total, destination, out bool staged);
        try
        {
            Run(state, family, mode, sqe.Opcode == Opcode.CipherEncrypt, key, iv, source, destination);
        }
        finally
        {
            if (staged)
            {
                state.ClearStaging(total);
            }
        }

        if (!state.Memory.CommitOutput((ulong)total))
        {
            return CompletionStatus.AddressFault;
        }

        cqe.Produced = (uint)total;
        cqe.Consumed = (uint)total;
        return CompletionStatus.Ok;
    }

    private static void Run(SecEngineState state, CipherFamily family, Mode mode, bool encrypt, ReadOnlySpan<byte> key,
        ReadOnlySpan<byte> iv, ReadOnlySpan<byte> source, Span<byte> destination)
    {
        KeyedFactory<BlockPrimitive> factory = family switch
        {
            CipherFamily.Aes => RuntimeBlockPrimitive.AesFactory,
            CipherFamily.Sm4 => Sm4Primitive.Factory,
            _ => RuntimeBlockPrimitive.TripleDesFactory,
        };
        if (mode == Mode.Xts)
        {
            int half = key.Length / 2;
            BlockPrimitive data = state.Ciphers.Get(key[..half], (int)family, factory);
            BlockPrimitive tweak = state.Ciphers.Get(key[half..], (int)family, factory);
            XtsMode.Transform(data, tweak, encrypt, iv, source, destination, state);
            return;
        }

        BlockPrimitive cipher = state.Ciphers.Get(key, (int)family, factory);
        switch (mode)
        {
            case Mode.Ecb when encrypt:
                cipher.EncryptBlocks(source, destination);
                break;
            case Mode.Ecb:
                cipher.DecryptBlocks(source, destination);
                break;
            case Mode.Cbc when encrypt:
                cipher.EncryptCbc(source, iv, destination);
                break;
            case Mode.Cbc:
                cipher.DecryptCbc(source, iv, destination);
                break;
            case Mode.Ctr:
                StreamModes.Ctr(cipher, iv, source, destination, state);
                break;
            case Mode.Ofb:
                StreamModes.Ofb(cipher, iv, source, destination, state);
                break;
            default:
                StreamModes.Cfb(cipher, encrypt, iv, source, destination);
                break;
        }
    }

    private static bool TryDescribe(CipherAlgorithm algorithm, out CipherFamily family, out Mode mode)
    {
        (family, mode) = algorithm switch
        {
            CipherAlgorithm.AesEcb => (CipherFamily.Aes, Mode.Ecb),
            CipherAlgorithm.AesCbc => (CipherFamily.Aes, Mode.Cbc),
            CipherAlgorithm.AesCtr => (CipherFamily.Aes, Mode.Ctr),
            CipherAlgorithm.AesXts => (CipherFamily.Aes, Mode.Xts),
            CipherAlgorithm.AesOfb => (CipherFamily.Aes, Mode.Ofb),
            CipherAlgorithm.AesCfb => (CipherFamily.Aes, Mode.Cfb),
            CipherAlgorithm.Sm4Ecb => (CipherFamily.Sm4, Mode.Ecb),
            CipherAlgorithm.Sm4Cbc => (CipherFamily.Sm4, Mode.Cbc),
            CipherAlgorithm.Sm4Ctr => (CipherFamily.Sm4, Mode.Ctr),
            CipherAlgorithm.Sm4Xts => (CipherFamily.Sm4, Mode.Xts),
            CipherAlgorithm.TripleDesEcb => (CipherFamily.TripleDes, Mode.Ecb),
            CipherAlgorithm.TripleDesCbc => (CipherFamily.TripleDes, Mode.Cbc),
            _ => (default, default),
        };
        return family != default;
    }

    private static bool KeyLengthValid(CipherFamily family, Mode mode, uint length) => family switch
    {
        CipherFamily.Aes when mode == Mode.Xts => length is 32 or 64,
        CipherFamily.Aes => length is 16 or 24 or 32,
        CipherFamily.Sm4 => length == (mode == Mode.Xts ? 32u : 16u),
        _ => length == 24,
    };

    /// <summary>K1 = K2 or K2 = K3 ignoring parity bits: what <see cref="TripleDES.IsWeakKey"/> rejects.</summary>
    private static bool IsWeakTripleDesKey(ReadOnlySpan<byte> key)
    {
        bool k1k2 = true, k2k3 = true;
        for (int i = 0; i < 8; i++)
        {
            k1k2 &= ((key[i] ^ key[i + 8]) & 0xFE) == 0;
            k2k3 &= ((key[i + 8] ^ key[i + 16]) & 0xFE) == 0;
        }

        return k1k2 || k2k3;
    }
}
