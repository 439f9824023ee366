using System.Security.Cryptography;

namespace WarpDrive.Devices.Sec;

/// <summary>AES on the runtime's implementation (OpenSSL, AES-NI): ECB, CBC and CFB128 one-shots over a keyed
/// <see cref="Aes"/> instance.</summary>
internal sealed class AesPrimitive : BlockPrimitive
{
    private readonly Aes _aes;

    public AesPrimitive(ReadOnlySpan<byte> key)
    {
        _aes = Aes.Create();
        byte[] copy = key.ToArray();
        try
        {
            _aes.Key = copy;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    public static KeyedFactory<BlockPrimitive> Factory { get; } = static (key, _) => new AesPrimitive(key);

    public override int BlockSize => 16;

    public override void EncryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _aes.EncryptEcb(source, destination, PaddingMode.None);
        }
    }

    public override void DecryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _aes.DecryptEcb(source, destination, PaddingMode.None);
        }
    }

    public override void EncryptCbc(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _aes.EncryptCbc(source, iv, destination, PaddingMode.None);
        }
    }

    public override void DecryptCbc(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _aes.DecryptCbc(source, iv, destination, PaddingMode.None);
        }
    }

    public override void EncryptCfb(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _aes.EncryptCfb(source, iv, destination, PaddingMode.None, 128);
        }
    }

    public override void DecryptCfb(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _aes.DecryptCfb(source, iv, destination, PaddingMode.None, 128);
        }
    }

    public override void Dispose() => _aes.Dispose(); // clears the instance's key copy
}
