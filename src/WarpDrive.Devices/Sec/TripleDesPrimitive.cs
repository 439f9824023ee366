using System.Security.Cryptography;

namespace WarpDrive.Devices.Sec;

/// <summary>Triple DES (EDE3) on the runtime's implementation: ECB and CBC one-shots over a keyed
/// <see cref="TripleDES"/> instance. The caller rejects weak keys (<see cref="TripleDES.IsWeakKey"/>) first: the
/// runtime throws on them.</summary>
internal sealed class TripleDesPrimitive : BlockPrimitive
{
    private readonly TripleDES _des;

    public TripleDesPrimitive(ReadOnlySpan<byte> key)
    {
#pragma warning disable CA5350 // 3DES is in the device's ABI for legacy peers; clients choose it
        _des = TripleDES.Create();
#pragma warning restore CA5350
        byte[] copy = key.ToArray();
        try
        {
            _des.Key = copy;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(copy);
        }
    }

    public static KeyedFactory<BlockPrimitive> Factory { get; } = static (key, _) => new TripleDesPrimitive(key);

    public override int BlockSize => 8;

    public override void EncryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _des.EncryptEcb(source, destination, PaddingMode.None);
        }
    }

    public override void DecryptBlocks(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _des.DecryptEcb(source, destination, PaddingMode.None);
        }
    }

    public override void EncryptCbc(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _des.EncryptCbc(source, iv, destination, PaddingMode.None);
        }
    }

    public override void DecryptCbc(ReadOnlySpan<byte> source, ReadOnlySpan<byte> iv, Span<byte> destination)
    {
        if (source.Length != 0)
        {
            _des.DecryptCbc(source, iv, destination, PaddingMode.None);
        }
    }

    public override void Dispose() => _des.Dispose();
}
