namespace WarpDrive.Abi;

/// <summary>CRC-32 (ISO-HDLC, reflected 0xEDB88320: gzip's), a byte at a time from a table: for the few bytes of a gzip
/// header (<see cref="GzipHeaderReader"/>). The ZIP model checksums data with ISA-L's or the runtime's vectorised
/// routines instead.</summary>
internal static unsafe class Crc32
{
    private static readonly uint[] s_table = CreateTable();

    /// <summary>Folds <paramref name="length"/> bytes at <paramref name="data"/> into <paramref name="running"/>
    /// (0 to start).</summary>
    public static uint Update(uint running, byte* data, int length)
    {
        uint crc = ~running;
        uint[] table = s_table;
        for (int i = 0; i < length; i++)
        {
            crc = table[(byte)(crc ^ data[i])] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
