using System.Numerics;
using System.Runtime.InteropServices;

namespace WarpDrive.Devices.Sec;

/// <summary>Byte-wise helpers of the cipher modes.</summary>
internal static class SecMath
{
    /// <summary><paramref name="destination"/> = <paramref name="a"/> XOR <paramref name="b"/> over
    /// <paramref name="a"/>'s length; <paramref name="destination"/> may be <paramref name="a"/> or <paramref name="b"/>.</summary>
    public static void Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> destination)
    {
        int length = a.Length;
        b = b[..length];
        destination = destination[..length];
        int i = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<byte>.Count)
        {
            ReadOnlySpan<Vector<byte>> va = MemoryMarshal.Cast<byte, Vector<byte>>(a);
            ReadOnlySpan<Vector<byte>> vb = MemoryMarshal.Cast<byte, Vector<byte>>(b);
            Span<Vector<byte>> vd = MemoryMarshal.Cast<byte, Vector<byte>>(destination);
            for (int v = 0; v < va.Length; v++)
            {
                vd[v] = va[v] ^ vb[v];
            }

            i = va.Length * Vector<byte>.Count;
        }

        for (; i < length; i++)
        {
            destination[i] = (byte)(a[i] ^ b[i]);
        }
    }
}
