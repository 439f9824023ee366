using System.Runtime.InteropServices;

namespace WarpDrive.Abi;

/// <summary>The first 8 bytes of an RSA key blob (<see cref="CryptoParams.Key"/> for the <c>Rsa*</c> opcodes).</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct RsaKeyHeader
{
    /// <summary>Size of the header in bytes.</summary>
    public const int Size = 8;

    /// <summary>Smallest and largest modulus the HPRE device takes, in bytes (1024 and 4096 bits).</summary>
    public const int MinModulusBytes = 128, MaxModulusBytes = 512;

    /// <summary>What follows.</summary>
    [FieldOffset(0)] public RsaKeyFormat Format;

    /// <summary>Reserved, must be zero.</summary>
    [FieldOffset(2)] public ushort Reserved;

    /// <summary>k: the modulus size in bytes.</summary>
    [FieldOffset(4)] public uint ModulusBytes;

    /// <summary>The blob's total length for <paramref name="format"/> and a modulus of <paramref name="modulusBytes"/>.</summary>
    public static int BlobLength(RsaKeyFormat format, int modulusBytes)
    {
        int half = (modulusBytes + 1) / 2;
        return Size + format switch
        {
            RsaKeyFormat.Public => 2 * modulusBytes,
            RsaKeyFormat.Private => 3 * modulusBytes,
            RsaKeyFormat.PrivateCrt => (3 * modulusBytes) + (5 * half),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
    }
}
