using System.Security.Cryptography;

namespace WarpDrive.Devices.Sec;

/// <summary>A block cipher on the runtime's implementation (OpenSSL; AES-NI for AES): ECB, CBC and full-block CFB
/// one-shots over one keyed <see cref="SymmetricAlgorithm"/> instance. AES and Triple DES (EDE3); for Triple DES the
/// caller rejects weak keys (<see cref="TripleDES.IsWeakKey"/>) first: the runtime throws on them.</summary>
internal sealed class RuntimeBlockPrimitive : BlockPrimitive
{
    private readonly SymmetricAlgorithm _cipher;
    private readonly int _feedbackBits;

    private RuntimeBlockPrimitive(SymmetricAlgorithm cipher, ReadOnlySpan<byte> key)
    {
        _cipher = cipher;
        _feedbackBits = cipher.BlockSize;
        byte[] copy = key.ToArray();
        try
        {
            _cipher.Key = copy;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    public static KeyedFactory<BlockPrimitive> AesFactory { get; } = static (key, _) => new RuntimeBlockPrimitive(Aes.Create(), key);

#pragma warning disable CA5350 // 3DES is in the device's ABI for legacy peers; clients choose it
    public static KeyedFactory<BlockPrimitive> TripleDesFactory { get; } = static (key, _) => new RuntimeBlockPrimitive(TripleDES.Create(), key);
#pragma warning restore CA5350

    public override int BlockSize => _cipher.BlockSize / 8;

    public override void EncryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _cipher.EncryptEcb(source, destination, PaddingMode.None);
        }
    }

    public override void DecryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _cipher.DecryptEcb(source, destination, PaddingMode.None);
        }
    }

    public override void EncryptCbc(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _cipher.EncryptCbc(source, iv, destination, PaddingMode.None);
        }
    }

    public override void DecryptCbc(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _cipher.DecryptCbc(source, iv, destination, PaddingMode.None);
        }
    }

    public override void EncryptCfb(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _cipher.EncryptCfb(source, iv, destination, PaddingMode.None, _feedbackBits);
        }
    }

    public override void DecryptCfb(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _cipher.DecryptCfb(source, iv, destination, PaddingMode.None, _feedbackBits);
        }
    }

    public override void Dispose() => _cipher.Dispose(); // clears the instance's key copy
}
