namespace WarpDrive.Devices.Sec;

/// <summary>A keyed block cipher used block by block (ECB), the primitive every mode of the SEC device is built on.
/// Chaining modes have generic implementations here that an engine with a faster one (the runtime's AES) overrides.
/// Source and destination never overlap (the device stages an overlapping source first).</summary>
internal abstract class BlockPrimitive : IDisposable
{
    /// <summary>Most bytes of a block (AES and SM4: 16).</summary>
    public const int MaxBlockSize = 16;

    public abstract int BlockSize { get; }

    /// <summary>Encrypts whole blocks independently.</summary>
    public abstract void EncryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination);

    /// <summary>Decrypts whole blocks independently.</summary>
    public abstract void DecryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination);

    /// <summary>CBC encryption of whole blocks.</summary>
    public virtual void EncryptCbc(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        int size = BlockSize;
        Span<byte> block = stackalloc byte[MaxBlockSize];
        block = block[..size];
        ReadOnlySpan<byte> previous = iv;
        for (int offset = 0; offset < source.Length; offset += size)
        {
            SecMath.Xor(source.Slice(offset, size), previous, block);
            EncryptBlocks(block, destination.Slice(offset, size));
            previous = destination.Slice(offset, size);
        }
    }

    /// <summary>CBC decryption of whole blocks.</summary>
    public virtual void DecryptCbc(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        int size = BlockSize;
        DecryptBlocks(source, destination);
        if (source.Length == 0)
        {
            return;
        }

        SecMath.Xor(destination[..size], iv, destination[..size]);
        SecMath.Xor(destination[size..source.Length], source[..(source.Length - size)], destination[size..source.Length]);
    }

    /// <summary>CFB encryption (feedback = block size) of whole blocks. The ABI offers CFB for AES only, which runs
    /// on the runtime's implementation (<see cref="RuntimeBlockPrimitive"/>).</summary>
    public virtual void EncryptCfb(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination) =>
        throw new NotSupportedException($"{GetType().Name} has no CFB mode");

    /// <summary>CFB decryption (feedback = block size) of whole blocks; see <see cref="EncryptCfb"/>.</summary>
    public virtual void DecryptCfb(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination) =>
        throw new NotSupportedException($"{GetType().Name} has no CFB mode");

    public abstract void Dispose();
}
