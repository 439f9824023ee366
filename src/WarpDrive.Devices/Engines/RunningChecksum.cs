using System.IO.Hashing;
using WarpDrive.Abi;

namespace WarpDrive.Devices.Engines;

/// <summary>The running checksum of one ZIP stream's uncompressed data, as its completions report it: CRC-32 (gzip, raw
/// deflate) and Adler-32 (zlib) through <see cref="Checksums"/>; for zstd the low 32 bits of XXH64 (seed 0), what a
/// zstd frame's 4-byte content checksum holds; for LZ4 XXH32 (seed 0), an LZ4 frame's content checksum. The XXH states
/// are made once per stream object and reset with it: nothing is allocated per request.</summary>
internal sealed unsafe class RunningChecksum
{
    private CompAlgorithm _algorithm;
    private uint _value;
    private XxHash64? _xxh64;
    private XxHash32? _xxh32;

    /// <summary>Starts over for a stream of <paramref name="algorithm"/>.</summary>
    public void Reset(CompAlgorithm algorithm)
    {
        _algorithm = algorithm;
        _value = Checksums.Initial(algorithm);
        switch (algorithm)
        {
            case CompAlgorithm.Zstd:
                (_xxh64 ??= new XxHash64()).Reset();
                break;
            case CompAlgorithm.Lz4:
                (_xxh32 ??= new XxHash32()).Reset();
                break;
        }
    }

    /// <summary>Folds <paramref name="length"/> bytes at <paramref name="data"/> in.</summary>
    public void Append(byte* data, int length)
    {
        if (length <= 0)
        {
            return;
        }

        switch (_algorithm)
        {
            case CompAlgorithm.Zstd:
                _xxh64!.Append(new ReadOnlySpan<byte>(data, length));
                break;
            case CompAlgorithm.Lz4:
                _xxh32!.Append(new ReadOnlySpan<byte>(data, length));
                break;
            default:
                _value = Checksums.Update(_algorithm, _value, data, length);
                break;
        }
    }

    /// <summary>The checksum of everything folded in since <see cref="Reset"/>.</summary>
    public uint Value => _algorithm switch
    {
        CompAlgorithm.Zstd => (uint)_xxh64!.GetCurrentHashAsUInt64(),
        CompAlgorithm.Lz4 => _xxh32!.GetCurrentHashAsUInt32(),
        _ => _value,
    };
}
