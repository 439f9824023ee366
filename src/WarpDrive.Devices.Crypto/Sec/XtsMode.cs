using System.Buffers.Binary;

namespace WarpDrive.Devices.Sec;

/// <summary>XTS (IEEE 1619-2007) over two keyed 128-bit block ciphers: the tweak T = E_K2(iv); block j is
/// C = E_K1(P xor T_j) xor T_j with T_{j+1} = T_j * alpha in GF(2^128) (little-endian, reduction 0x87). A partial
/// final block uses ciphertext stealing. Whole blocks go through the primitive a chunk at a time.</summary>
internal static class XtsMode
{
    private const int Block = 16;

    public static void Transform(BlockPrimitive data, BlockPrimitive tweak, bool encrypt, ReadOnlySpan<byte> iv,
        ReadOnlySpan<byte> source, Span<byte> destination, SecEngineState state)
    {
        Span<byte> t = stackalloc byte[Block];
        tweak.EncryptBlocks(iv, t);
        ulong low = BinaryPrimitives.ReadUInt64LittleEndian(t);
        ulong high = BinaryPrimitives.ReadUInt64LittleEndian(t[8..]);

        int full = source.Length / Block;
        int tail = source.Length % Block;
        int bulk = tail == 0 ? full : full - 1; // blocks without stealing
        Span<byte> tweaks = state.ScratchA;
        Span<byte> work = state.ScratchB;
        for (int offset = 0; offset < bulk * Block;)
        {
            int n = Math.Min(SecEngineState.ChunkBytes, (bulk * Block) - offset);
            for (int b = 0; b < n; b += Block)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(tweaks[b..], low);
                BinaryPrimitives.WriteUInt64LittleEndian(tweaks[(b + 8)..], high);
                Multiply(ref low, ref high);
            }

            Span<byte> output = destination.Slice(offset, n);
            SecMath.Xor(source.Slice(offset, n), tweaks, work);
            if (encrypt)
            {
                data.EncryptBlocks(work[..n], output);
            }
            else
            {
                data.DecryptBlocks(work[..n], output);
            }

            SecMath.Xor(output, tweaks, output);
            offset += n;
        }

        state.ClearScratch(bulk * Block);

        if (tail == 0)
        {
            return;
        }

        // Ciphertext stealing: the last full block m-1 and the partial block m.
        Span<byte> tweakA = stackalloc byte[Block];
        Span<byte> tweakB = stackalloc byte[Block];
        BinaryPrimitives.WriteUInt64LittleEndian(tweakA, low);
        BinaryPrimitives.WriteUInt64LittleEndian(tweakA[8..], high);
        Multiply(ref low, ref high);
        BinaryPrimitives.WriteUInt64LittleEndian(tweakB, low);
        BinaryPrimitives.WriteUInt64LittleEndian(tweakB[8..], high);
        int last = bulk * Block;
        ReadOnlySpan<byte> inFull = source.Slice(last, Block);
        ReadOnlySpan<byte> inPartial = source.Slice(last + Block, tail);
        Span<byte> outFull = destination.Slice(last, Block);
        Span<byte> outPartial = destination.Slice(last + Block, tail);
        Span<byte> staged = stackalloc byte[Block];
        Span<byte> result = stackalloc byte[Block];

        // Encrypt: CC = E_A(P_{m-1}); C_m = CC[..tail]; C_{m-1} = E_B(P_m || CC[tail..]).
        // Decrypt: PP = D_B(C_{m-1}); P_m = PP[..tail]; P_{m-1} = D_A(C_m || PP[tail..]).
        OneBlock(data, encrypt, encrypt ? tweakA : tweakB, inFull, result);
        inPartial.CopyTo(staged);
        result[tail..].CopyTo(staged[tail..]);
        result[..tail].CopyTo(outPartial);
        OneBlock(data, encrypt, encrypt ? tweakB : tweakA, staged, outFull);
        result.Clear();
        staged.Clear();
    }

    private static void OneBlock(BlockPrimitive cipher, bool encrypt, ReadOnlySpan<byte> tweak, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Span<byte> work = stackalloc byte[Block];
        SecMath.Xor(input, tweak, work);
        if (encrypt)
        {
            cipher.EncryptBlocks(work, output);
        }
        else
        {
            cipher.DecryptBlocks(work, output);
        }

        SecMath.Xor(output, tweak, output);
    }

    /// <summary>T = T * alpha in GF(2^128), the 128-bit value little-endian (IEEE 1619 5.2).</summary>
    private static void Multiply(ref ulong low, ref ulong high)
    {
        ulong carry = high >> 63;
        high = (high << 1) | (low >> 63);
        low = (low << 1) ^ (0x87UL & (0UL - carry));
    }
}
