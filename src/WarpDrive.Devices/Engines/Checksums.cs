using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>Running checksums of uncompressed data, as the ZIP device reports them in completions:
/// CRC-32 (gzip, raw deflate) and Adler-32 (zlib). ISA-L's vectorised versions when present, else zlib's. zstd's and
/// LZ4's XXH checksums keep state of their own: <see cref="RunningChecksum"/>.</summary>
internal static unsafe class Checksums
{
    /// <summary>Initial value for <paramref name="algorithm"/>.</summary>
    public static uint Initial(CompAlgorithm algorithm) => algorithm == CompAlgorithm.Zlib ? 1u : 0u;

    /// <summary>Folds <paramref name="length"/> bytes at <paramref name="data"/> into <paramref name="running"/>.</summary>
    public static uint Update(CompAlgorithm algorithm, uint running, byte* data, int length)
    {
        if (length <= 0 || algorithm >= CompAlgorithm.Zstd)
        {
            return running;
        }

        bool isal = IsalEngine.Instance is not null;
        if (algorithm == CompAlgorithm.Zlib)
        {
            return isal ? Interop.Isal.isal_adler32(running, data, (ulong)length) : (uint)Interop.Zlib.Adler32(running, data, (uint)length);
        }

        return isal ? Interop.Isal.crc32_gzip_refl(running, data, (ulong)length) : (uint)Interop.Zlib.Crc32(running, data, (uint)length);
    }
}
