using BcBigInteger = Org.BouncyCastle.Math.BigInteger;

namespace WarpDrive.Devices.Hpre;

/// <summary>Big-endian integer helpers for fixed-width fields.</summary>
internal static class HpreBytes
{
    public static ReadOnlySpan<byte> StripLeadingZeros(ReadOnlySpan<byte> value)
    {
        int i = value.IndexOfAnyExcept((byte)0);
        return i < 0 ? value[value.Length..] : value[i..];
    }

    /// <summary>Writes <paramref name="value"/> (big-endian) left-padded with zeros to fill <paramref name="field"/>;
    /// leading zero bytes beyond the width are dropped.</summary>
    public static void WriteFixed(ReadOnlySpan<byte> value, Span<byte> field)
    {
        value = StripLeadingZeros(value);
        if (value.Length > field.Length)
        {
            throw new ArgumentException("value wider than its field");
        }

        field[..^value.Length].Clear();
        value.CopyTo(field[(field.Length - value.Length)..]);
    }

    /// <summary>Writes a non-negative BouncyCastle integer left-padded to fill <paramref name="field"/>.</summary>
    public static void WriteFixed(BcBigInteger value, Span<byte> field) => WriteFixed(value.ToByteArrayUnsigned(), field);
}
