using System.Buffers.Binary;

namespace WarpDrive.Devices.Sec;

/// <summary>The modes that turn a block cipher into a stream cipher (CTR, OFB, CFB), for any length, over a
/// <see cref="BlockPrimitive"/>. The keystream is made a chunk at a time in the engine's scratch buffers so that the
/// primitive sees many blocks per call (one AES-NI pass).</summary>
internal static class StreamModes
{
    /// <summary>Counter mode with a 128-bit big-endian counter starting at <paramref name="iv"/> (wraps mod 2^128);
    /// encryption and decryption are the same.</summary>
    public static void Ctr(BlockPrimitive cipher, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> source, Span<byte> destination,
        SecEngineState state)
    {
        ulong high = BinaryPrimitives.ReadUInt64BigEndian(iv);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(iv[8..]);
        Span<byte> counters = state.ScratchA;
        Span<byte> stream = state.ScratchB;
        for (int offset = 0; offset < source.Length;)
        {
            int n = Math.Min(SecEngineState.ChunkBytes, source.Length - offset);
            int bytes = (n + 15) & ~15;
            for (int b = 0; b < bytes; b += 16)
            {
                BinaryPrimitives.WriteUInt64BigEndian(counters[b..], high);
                BinaryPrimitives.WriteUInt64BigEndian(counters[(b + 8)..], low);
                if (++low == 0)
                {
                    high++;
                }
            }

            cipher.EncryptBlocks(counters[..bytes], stream[..bytes]);
            SecMath.Xor(source.Slice(offset, n), stream, destination.Slice(offset, n));
            offset += n;
        }

        state.ClearScratch(source.Length + 15L);
    }

    /// <summary>Output feedback; encryption and decryption are the same. The keystream E(iv), E(E(iv)), ... is the CBC
    /// encryption of zeros under <paramref name="iv"/>, which the runtime does in one call per chunk.</summary>
    public static void Ofb(BlockPrimitive cipher, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> source, Span<byte> destination,
        SecEngineState state)
    {
        int size = cipher.BlockSize;
        Span<byte> chain = stackalloc byte[BlockPrimitive.MaxBlockSize];
        chain = chain[..size];
        iv.CopyTo(chain);
        ReadOnlySpan<byte> zeros = state.Zeros;
        Span<byte> stream = state.ScratchB;
        for (int offset = 0; offset < source.Length;)
        {
            int n = Math.Min(SecEngineState.ChunkBytes, source.Length - offset);
            int bytes = (n + size - 1) / size * size;
            cipher.EncryptCbc(zeros[..bytes], chain, stream[..bytes]);
            stream.Slice(bytes - size, size).CopyTo(chain);
            SecMath.Xor(source.Slice(offset, n), stream, destination.Slice(offset, n));
            offset += n;
        }

        chain.Clear();
        state.ClearScratch(source.Length + (long)size);
    }

    /// <summary>Cipher feedback with feedback = block size (CFB128 for AES). Whole blocks go through the primitive's
    /// CFB; a partial final block is XORed with E(last ciphertext block).</summary>
    public static void Cfb(BlockPrimitive cipher, bool encrypt, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> source,
        Span<byte> destination)
    {
        int size = cipher.BlockSize;
        int whole = source.Length / size * size;
        if (encrypt)
        {
            cipher.EncryptCfb(source[..whole], iv, destination);
        }
        else
        {
            cipher.DecryptCfb(source[..whole], iv, destination);
        }

        int rest = source.Length - whole;
        if (rest == 0)
        {
            return;
        }

        ReadOnlySpan<byte> ciphertext = encrypt ? destination : source;
        ReadOnlySpan<byte> previous = whole == 0 ? iv : ciphertext.Slice(whole - size, size);
        Span<byte> stream = stackalloc byte[BlockPrimitive.MaxBlockSize];
        stream = stream[..size];
        cipher.EncryptBlocks(previous, stream);
        SecMath.Xor(source[whole..], stream, destination[whole..]);
        stream.Clear();
    }
}
