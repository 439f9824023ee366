using WarpDrive.Abi;
using WarpDrive.Drivers;

namespace WarpDrive.Tests;

/// <summary>The one gzip header reader (<see cref="GzipHeaderReader"/>, in the ABI) that the ZIP model's ISA-L
/// decompressor and libwd's HiSilicon driver both read headers with: every optional field, the header CRC, split input,
/// and each way a header is refused.</summary>
public sealed unsafe class GzipHeaderReaderTests
{
    /// <summary>FLG = FHCRC | FEXTRA | FNAME | FCOMMENT; XLEN 4; name "a.txt"; comment "hi"; the CRC-16 (0x5AA8, the low
    /// half of the CRC-32 of the 25 bytes before it) computed with Python's zlib.crc32.</summary>
    private static readonly byte[] s_everyField =
    [
        0x1F, 0x8B, 0x08, 0x1E, 0x78, 0x56, 0x34, 0x12, 0x00, 0x03, 0x04, 0x00, 0x41, 0x42, 0x02, 0x00,
        0x61, 0x2E, 0x74, 0x78, 0x74, 0x00, 0x68, 0x69, 0x00, 0xA8, 0x5A,
    ];

    private static readonly byte[] s_plain = [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03];

    /// <summary>Feeds <paramref name="bytes"/> in pieces of <paramref name="piece"/> until the reader stops or refuses.</summary>
    private static (bool Valid, bool Done, int Consumed) ReadInPieces(byte[] bytes, int piece)
    {
        GzipHeaderReader reader = default;
        int offset = 0;
        fixed (byte* p = bytes)
        {
            while (offset < bytes.Length && !reader.Done)
            {
                int length = Math.Min(piece, bytes.Length - offset);
                if (!reader.Read(p + offset, length, out int consumed))
                {
                    return (false, reader.Done, offset + consumed);
                }

                offset += consumed;
                if (consumed < length && !reader.Done)
                {
                    throw new InvalidOperationException("the reader stopped inside the header without refusing it");
                }
            }
        }

        return (true, reader.Done, offset);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(26)]
    [InlineData(1000)]
    public void EveryOptionalFieldAndTheHeaderCrcAreReadInAnyPieces(int piece)
    {
        Assert.Equal((true, true, s_everyField.Length), ReadInPieces(s_everyField, piece));
    }

    [Fact]
    public void TheReaderStopsAtTheEndOfTheHeader()
    {
        byte[] member = [.. s_plain, 0x03, 0x00, 0xFF];
        GzipHeaderReader reader = default;
        fixed (byte* p = member)
        {
            Assert.True(reader.Read(p, member.Length, out int consumed));
            Assert.True(reader.Done);
            Assert.Equal(s_plain.Length, consumed);
        }
    }

    [Fact]
    public void AnEmptyExtraFieldHasNoData()
    {
        byte[] header = [0x1F, 0x8B, 0x08, 0x04, 0, 0, 0, 0, 0, 0x03, 0x00, 0x00, 0xAA];
        GzipHeaderReader reader = default;
        fixed (byte* p = header)
        {
            Assert.True(reader.Read(p, header.Length, out int consumed));
            Assert.True(reader.Done);
            Assert.Equal(12, consumed);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public void AWrongHeaderCrcIsRefused(int piece)
    {
        byte[] header = [.. s_everyField];
        header[^1] ^= 0x01;
        Assert.False(ReadInPieces(header, piece).Valid);
        header = [.. s_everyField];
        header[17] ^= 0x01; // a byte of the name: the CRC covers it
        Assert.False(ReadInPieces(header, piece).Valid);
    }

    [Fact]
    public void ATruncatedHeaderIsNotDoneAndNotRefused()
    {
        for (int length = 0; length < s_everyField.Length; length++)
        {
            (bool valid, bool done, int consumed) = ReadInPieces(s_everyField[..length], 3);
            Assert.True(valid, $"{length} bytes");
            Assert.False(done, $"{length} bytes");
            Assert.Equal(length, consumed);
        }
    }

    [Theory]
    [InlineData(0, 0x1E)] // magic
    [InlineData(1, 0x8C)] // magic
    [InlineData(2, 0x07)] // method: only 8 (deflate)
    [InlineData(3, 0x20)] // a reserved flag bit
    [InlineData(3, 0x80)]
    public void ABadFixedFieldIsRefusedWhereItIs(int index, byte value)
    {
        byte[] header = [.. s_plain];
        header[index] = value;
        (bool valid, _, int consumed) = ReadInPieces(header, 1000);
        Assert.False(valid);
        Assert.Equal(index, consumed);
    }

    [Fact]
    public void TheDriversReaderRefusesWhatTheGzipReaderRefuses()
    {
        byte[] header = [.. s_plain];
        header[2] = 0x07;
        HisiZipHeaderReader reader = default;
        reader.Reset(CompAlgorithm.Gzip);
        fixed (byte* p = header)
        {
            Assert.Equal(DataErrorKind.InvalidHeader, reader.Read(CompAlgorithm.Gzip, p, header.Length, out _));
        }

        reader.Reset(CompAlgorithm.Gzip);
        fixed (byte* p = s_everyField)
        {
            Assert.Equal(DataErrorKind.None, reader.Read(CompAlgorithm.Gzip, p, s_everyField.Length, out int consumed));
            Assert.True(reader.Done);
            Assert.Equal(s_everyField.Length, consumed);
        }
    }
}
