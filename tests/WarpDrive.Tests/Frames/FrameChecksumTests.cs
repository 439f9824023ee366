using System.Buffers.Binary;
using System.IO.Hashing;
using WarpDrive.Abi;
using WarpDrive.Compression;

namespace WarpDrive.Tests.Frames;

/// <summary>The CQE checksum of zstd and LZ4 streams on both engines: the running content checksum of the uncompressed
/// data as the frame formats define it (zstd: the low 32 bits of XXH64, seed 0; LZ4: XXH32, seed 0). Decompressing a
/// single frame that carries a content checksum ends with the frame's own trailer in the CQE, in block mode and in
/// stream mode, and every stream completion carries the checksum of the output so far (across frames); compressing
/// reports the checksum of the input consumed so far.</summary>
public sealed class FrameChecksumTests
{
    /// <summary>The frame format's content checksum of <paramref name="data"/>, computed in one go.</summary>
    private static uint ContentChecksum(CompAlgorithm algorithm, ReadOnlySpan<byte> data) =>
        algorithm == CompAlgorithm.Zstd ? (uint)XxHash64.HashToUInt64(data) : XxHash32.HashToUInt32(data);

    /// <summary>The trailer of a single frame that has the content-checksum flag (zstd: bit 2 of the frame header
    /// descriptor; LZ4: bit 2 of FLG, both the byte after the magic).</summary>
    private static uint Trailer(byte[] frame)
    {
        Assert.True((frame[4] & 0x04) != 0, "the frame carries no content checksum");
        return BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(frame.Length - 4));
    }

    /// <summary>Single frames with a content checksum: written by the reference tools (the corpus seeds from
    /// make-frame-seeds.py: <c>zstd -1</c>, <c>lz4 -1</c>, text and binary) and by the device itself.</summary>
    private static IEnumerable<byte[]> Frames(FrameDevice device, CompAlgorithm algorithm)
    {
        string corpus = Path.Combine(AppContext.BaseDirectory, "Corpus", algorithm == CompAlgorithm.Zstd ? "zstd" : "lz4");
        yield return File.ReadAllBytes(Path.Combine(corpus, "seed-text-0"));
        yield return File.ReadAllBytes(Path.Combine(corpus, "seed-binary-0"));
        yield return device.Compress(algorithm, 3, TestData.Text(200_000, seed: 7));
        yield return device.Compress(algorithm, 1, TestData.Random(30_000, seed: 8));
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void DecompressionEndsWithTheFramesOwnChecksum(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        foreach (byte[] frame in Frames(device, algorithm))
        {
            uint trailer = Trailer(frame);
            Cqe cqe = device.Decompress(algorithm, frame, 1 << 20, out byte[] output);
            Assert.Equal(CompletionStatus.Ok, cqe.Status);
            Assert.Equal(trailer, cqe.Checksum);
            foreach ((int piece, int room) in ((int, int)[])[(7, 61), (4099, 1000)])
            {
                (byte[] streamed, uint last) = Stream(device, Opcode.Decompress, algorithm, frame, piece, room);
                Assert.Equal(output, streamed);
                Assert.Equal(trailer, last);
            }
        }
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void DecompressionChecksumRunsOnAcrossFrames(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] a = TestData.Text(50_000, seed: 1), b = TestData.Random(3_000, seed: 2);
        byte[] two = [.. device.Compress(algorithm, 1, a), .. device.Compress(algorithm, 1, b)];
        uint whole = ContentChecksum(algorithm, [.. a, .. b]);
        Assert.NotEqual(Trailer(two), whole); // the second frame's trailer covers b alone
        Assert.Equal(whole, device.Decompress(algorithm, two, 1 << 20, out _).Checksum);
        Assert.Equal(whole, Stream(device, Opcode.Decompress, algorithm, two, 1000, 777).Checksum);
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void CompressionChecksumIsTheInputsContentChecksum(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] input = TestData.Text(300_000, seed: 5);
        byte[] output = new byte[input.Length + 1024];
        Cqe cqe = device.Run(Opcode.Compress, algorithm, 1, input, output);
        Assert.Equal(CompletionStatus.Ok, cqe.Status);
        Assert.Equal(ContentChecksum(algorithm, input), cqe.Checksum);
        Assert.Equal(cqe.Checksum, Trailer(output[..(int)cqe.Produced]));
        (byte[] frame, uint last) = Stream(device, Opcode.Compress, algorithm, input, 9_999, 4096);
        Assert.Equal(cqe.Checksum, last);
        Assert.Equal(last, Trailer(frame));
        Assert.Equal(ContentChecksum(algorithm, []), device.Run(Opcode.Compress, algorithm, 1, [], output).Checksum);
    }

    [Theory]
    [MemberData(nameof(FrameStreamTests.Formats), MemberType = typeof(FrameStreamTests))]
    public void ASessionsResultCarriesTheChecksum(CompressionAlgorithm algorithm)
    {
        using WdRuntime runtime = Engines.Runtime("zlib");
        byte[] text = TestData.Text(100_000, seed: 9);
        byte[] packed = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        using var c = new CompressionSession(new() { Algorithm = algorithm }, runtime);
        CompressionResult r = c.Process(text, packed);
        uint expected = ContentChecksum((CompAlgorithm)algorithm, text);
        Assert.Equal(expected, r.Checksum);
        using var d = new CompressionSession(new() { Algorithm = algorithm, Direction = CompressionDirection.Decompress }, runtime);
        Assert.Equal(expected, d.Process(packed.AsSpan(0, r.Produced), new byte[text.Length]).Checksum);
    }

    /// <summary>Stream mode over pieces of <paramref name="piece"/> bytes into outputs of <paramref name="room"/>: every
    /// completion's checksum is that of the uncompressed bytes so far (the output for decompression, the input consumed
    /// for compression). Returns the output and the last completion's checksum.</summary>
    private static (byte[] Output, uint Checksum) Stream(FrameDevice device, Opcode opcode, CompAlgorithm algorithm, byte[] input, int piece, int room)
    {
        var result = new MemoryStream();
        byte[] output = new byte[room];
        int position = 0;
        SqeFlags flags = SqeFlags.Stream | SqeFlags.NewStream;
        while (true)
        {
            int length = Math.Min(piece, input.Length - position);
            bool last = position + length == input.Length;
            Cqe cqe = device.Run(opcode, algorithm, 1, input.AsSpan(position, length), output, flags | (last ? SqeFlags.Last : 0));
            flags = SqeFlags.Stream;
            Assert.True(cqe.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, $"{cqe.Status} ({(DataErrorKind)cqe.Detail})");
            result.Write(output, 0, (int)cqe.Produced);
            position += (int)cqe.Consumed;
            ReadOnlySpan<byte> uncompressed = opcode == Opcode.Decompress ? result.GetBuffer().AsSpan(0, (int)result.Length) : input.AsSpan(0, position);
            Assert.Equal(ContentChecksum(algorithm, uncompressed), cqe.Checksum);
            if ((cqe.Flags & CqeFlags.EndOfStream) != 0 && position == input.Length)
            {
                return (result.ToArray(), cqe.Checksum);
            }
        }
    }
}
