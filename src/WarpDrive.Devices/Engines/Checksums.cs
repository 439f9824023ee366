using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>Running checksums of uncompressed data, as the ZIP device reports them in completions:
/// CRC-32 (gzip, raw deflate) and Adler-32 (zlib). ISA-L's vectorised versions when present.</summary>
internal static unsafe class Checksums
{
    private const uint AdlerBase = 65521;
    private const int AdlerNMax = 5552; // largest n with 255n(n+1)/2 + (n+1)(BASE-1) < 2^32

    /// <summary>Initial value for <paramref name="algorithm"/>.</summary>
    public static uint Initial(CompAlgorithm algorithm) => algorithm == CompAlgorithm.Zlib ? 1u : 0u;

    /// <summary>Folds <paramref name="length"/> bytes at <paramref name="data"/> into <paramref name="running"/>.</summary>
    public static uint Update(CompAlgorithm algorithm, uint running, byte* data, int length)
    {
        if (length <= 0)
        {
            return running;
        }

        bool isal = IsalEngine.Instance is not null;
        if (algorithm == CompAlgorithm.Zlib)
        {
            return isal ? Interop.Isal.isal_adler32(running, data, (ulong)length) : Adler32(running, data, length);
        }

        return isal ? Interop.Isal.crc32_gzip_refl(running, data, (ulong)length) : Interop.CompressionNative.Crc32(running, data, length);
    }

    private static uint Adler32(uint adler, byte* data, int length)
    {
        uint a = adler & 0xFFFF, b = adler >> 16;
        while (length > 0)
        {
            int n = Math.Min(length, AdlerNMax);
            length -= n;
            for (int i = 0; i < n; i++)
            {
                a += data[i];
                b += a;
            }

            data += n;
            a %= AdlerBase;
            b %= AdlerBase;
        }

        return (b << 16) | a;
    }
}
