using Org.BouncyCastle.Crypto.Engines;
using Org.BouncyCastle.Crypto.Parameters;

namespace WarpDrive.Devices.Sec;

/// <summary>SM4 (GB/T 32907) on BouncyCastle's <see cref="SM4Engine"/>: one engine keyed for each direction.</summary>
internal sealed class Sm4Primitive : BlockPrimitive
{
    private const int Size = 16;
    private readonly SM4Engine _encrypt = new();
    private readonly SM4Engine _decrypt = new();

    public Sm4Primitive(ReadOnlySpan<byte> key)
    {
        _encrypt.Init(true, new KeyParameter(key));
        _decrypt.Init(false, new KeyParameter(key));
    }

    public static KeyedFactory<BlockPrimitive> Factory { get; } = static (key, _) => new Sm4Primitive(key);

    public override int BlockSize => Size;

    public override void EncryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (int offset = 0; offset < source.Length; offset += Size)
        {
            _encrypt.ProcessBlock(source.Slice(offset, Size), destination.Slice(offset, Size));
        }
    }

    public override void DecryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        for (int offset = 0; offset < source.Length; offset += Size)
        {
            _decrypt.ProcessBlock(source.Slice(offset, Size), destination.Slice(offset, Size));
        }
    }

    public override void Dispose()
    {
        // The engines keep their round keys in private arrays: rekeying with zeros overwrites them.
        ReadOnlySpan<byte> zero = stackalloc byte[Size];
        _encrypt.Init(true, new KeyParameter(zero));
        _decrypt.Init(false, new KeyParameter(zero));
    }
}
