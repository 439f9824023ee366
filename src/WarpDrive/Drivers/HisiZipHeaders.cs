using WarpDrive.Abi;

namespace WarpDrive.Drivers;

/// <summary>The zlib (RFC 1950) and gzip (RFC 1952) headers, which a HiSilicon ZIP engine neither writes nor reads:
/// the driver writes them before the engine's output and reads them off the input before the engine's (UADK's
/// <c>fill_buf_zlib</c>/<c>fill_buf_gzip</c>). The engine does the deflate data and the trailer.</summary>
internal static class HisiZipHeaders
{
    /// <summary>UADK's <c>ZLIB_HEADER</c>: deflate, 32 KiB window, default compression.</summary>
    public static ReadOnlySpan<byte> Zlib => [0x78, 0x9c];

    /// <summary>UADK's <c>GZIP_HEADER</c>: no flags, no time, OS Unix.</summary>
    public static ReadOnlySpan<byte> Gzip => [0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];

    /// <summary>The header compression writes for <paramref name="algorithm"/> (none for raw deflate).</summary>
    public static ReadOnlySpan<byte> For(CompAlgorithm algorithm) => algorithm switch
    {
        CompAlgorithm.Zlib => Zlib,
        CompAlgorithm.Gzip => Gzip,
        _ => [],
    };
}

/// <summary>Reads a zlib or gzip header that may arrive in pieces (stream mode).</summary>
internal unsafe struct HisiZipHeaderReader
{
    private GzipHeaderReader _gzip;
    private int _zlibCount;
    private byte _cmf;

    /// <summary>Whether the whole header has been read.</summary>
    public bool Done { get; private set; }

    /// <summary>Starts over for a new stream of <paramref name="algorithm"/> (raw deflate has no header: done at once).</summary>
    public void Reset(CompAlgorithm algorithm)
    {
        this = default;
        Done = algorithm == CompAlgorithm.Deflate;
    }

    /// <summary>Reads header bytes from <paramref name="input"/>.</summary>
    /// <returns>None, or why the header is not acceptable.</returns>
    public DataErrorKind Read(CompAlgorithm algorithm, byte* input, int length, out int consumed)
    {
        consumed = 0;
        if (Done)
        {
            return DataErrorKind.None;
        }

        if (algorithm == CompAlgorithm.Gzip)
        {
            if (!_gzip.Read(input, length, out consumed))
            {
                return DataErrorKind.InvalidHeader;
            }

            Done = _gzip.Done;
            return DataErrorKind.None;
        }

        while (consumed < length && _zlibCount < 2)
        {
            byte b = input[consumed++];
            if (_zlibCount++ == 0)
            {
                _cmf = b;
                continue;
            }

            // CM 8 (deflate), CINFO at most 7 (32 KiB), FCHECK, and no preset dictionary (the engine has none).
            if ((_cmf & 0x0f) != 8 || (_cmf >> 4) > 7 || ((_cmf << 8) | b) % 31 != 0)
            {
                return DataErrorKind.InvalidHeader;
            }

            if ((b & 0x20) != 0)
            {
                return DataErrorKind.NeedsDictionary;
            }

            Done = true;
        }

        return DataErrorKind.None;
    }
}
