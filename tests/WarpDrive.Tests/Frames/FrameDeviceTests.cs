using System.Buffers.Binary;
using WarpDrive.Abi;

namespace WarpDrive.Tests.Frames;

/// <summary>zstd and LZ4 frames on the ZIP device, on the native libraries and on the managed ports: round trips at the
/// levels each format has, the two engines reading each other's frames, concatenated and skippable frames, and bad
/// input (truncated, corrupt, trailing garbage) ending as DATA_ERROR with a detail.</summary>
public sealed class FrameDeviceTests
{
    public static TheoryData<string, CompAlgorithm, int> Levels()
    {
        var data = new TheoryData<string, CompAlgorithm, int>();
        foreach (string engines in FrameDevice.All())
        {
            foreach (int level in new[] { 0, 1, 3, 9, 19, -1, -5 })
            {
                data.Add(engines, CompAlgorithm.Zstd, level);
            }

            foreach (int level in new[] { 0, 1, 3, 9, 12, -3 })
            {
                data.Add(engines, CompAlgorithm.Lz4, level);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public void EveryLevelRoundTripsTextRandomOneByteAndNothing(string engines, CompAlgorithm algorithm, int level)
    {
        using var device = new FrameDevice(engines);
        foreach (byte[] input in new[] { TestData.Text(300_000), TestData.Random(100_000), [42], [] })
        {
            byte[] packed = device.Compress(algorithm, level, input);
            Assert.Equal(input, device.Decompress(algorithm, packed, input.Length + 16));
        }
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void TextShrinksAndHigherLevelsShrinkItMore(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] text = TestData.Text(1 << 20);
        int fast = device.Compress(algorithm, algorithm == CompAlgorithm.Zstd ? -5 : 1, text).Length;
        int high = device.Compress(algorithm, 9, text).Length;
        Assert.True(fast < text.Length / 2, $"fast level: {fast} of {text.Length}");
        Assert.True(high < fast, $"level 9 {high} >= fast {fast}");
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void NativeAndManagedEnginesReadEachOthersFrames(string engines, CompAlgorithm algorithm)
    {
        if (FrameDevice.All().Count < 2)
        {
            return; // only the managed ports here: nothing to compare with
        }

        string other = engines == "native" ? "managed" : "native";
        using var writer = new FrameDevice(engines);
        using var reader = new FrameDevice(other);
        foreach (int level in new[] { 1, 9 })
        {
            byte[] input = TestData.Text(500_000, seed: level);
            Assert.Equal(input, reader.Decompress(algorithm, writer.Compress(algorithm, level, input), input.Length));
        }
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void ConcatenatedAndSkippableFramesDecompressAsOneStream(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] a = TestData.Text(70_000, seed: 3), b = TestData.Random(5_000, seed: 4);
        byte[] skippable = Skippable(algorithm == CompAlgorithm.Zstd ? 0x184D2A5Eu : 0x184D2A51u, 13);
        byte[] input = [.. skippable, .. device.Compress(algorithm, 1, a), .. skippable, .. device.Compress(algorithm, 3, b),
            .. device.Compress(algorithm, 1, []), .. skippable];
        Assert.Equal([.. a, .. b], device.Decompress(algorithm, input, a.Length + b.Length + 100));
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void TruncatedInputIsADataErrorAtEveryCut(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] input = TestData.Text(100_000);
        byte[] packed = device.Compress(algorithm, 3, input);
        foreach (int cut in new[] { 0, 1, 3, 4, 6, 10, packed.Length / 2, packed.Length - 5, packed.Length - 1 })
        {
            Cqe cqe = device.Decompress(algorithm, packed.AsSpan(0, cut), input.Length + 16, out _);
            Assert.True(cqe.Status == CompletionStatus.DataError, $"cut {cut}: {cqe.Status}");
            Assert.Equal(DataErrorKind.Truncated, (DataErrorKind)cqe.Detail);
        }
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void CorruptInputIsADataErrorWithADetailNeverACrash(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] input = TestData.Text(100_000);
        byte[] packed = device.Compress(algorithm, 3, input);
        var random = new Random(5);
        int errors = 0;
        for (int i = 0; i < 200; i++)
        {
            byte[] bad = (byte[])packed.Clone();
            bad[random.Next(bad.Length)] ^= (byte)(1 << random.Next(8));
            Cqe cqe = device.Decompress(algorithm, bad, input.Length + 16, out _);
            if (cqe.Status == CompletionStatus.DataError)
            {
                Assert.NotEqual(DataErrorKind.None, (DataErrorKind)cqe.Detail);
                errors++;
            }
            else
            {
                Assert.True(cqe.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, cqe.Status.ToString());
            }
        }

        Assert.True(errors > 150, $"only {errors} of 200 flipped bits were caught (the content checksum catches the rest)");

        byte[] notAFrame = TestData.Text(1000);
        Cqe header = device.Decompress(algorithm, notAFrame, 4096, out _);
        Assert.Equal(CompletionStatus.DataError, header.Status);
        Assert.Equal(DataErrorKind.InvalidHeader, (DataErrorKind)header.Detail);

        Cqe garbage = device.Decompress(algorithm, [.. packed, .. notAFrame], input.Length + 16, out _);
        Assert.Equal(CompletionStatus.DataError, garbage.Status);
        Assert.Equal(DataErrorKind.TrailingGarbage, (DataErrorKind)garbage.Detail);
    }

    /// <summary>A frame abandoned part-way (here: cut short after a header that declares a content size) leaves nothing
    /// behind for the next request on the same engine: liblz4's context reset kept the frame's remaining size, and the
    /// next valid frame, which declares none, failed as "checksum mismatch" (found by the zstd/lz4 fuzz corpus:
    /// Corpus/lz4/fuzz-df3301552d46).</summary>
    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void AFrameAbandonedPartWayLeavesNothingForTheNextRequest(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] input = TestData.Text(5_000);
        byte[] valid = device.Compress(algorithm, 1, input);
        byte[] cut = algorithm == CompAlgorithm.Lz4
            ? [0x04, 0x22, 0x4D, 0x18, 0x7C, 0x50, 0x41, 0x41, 0x43, 0x80, 0x78, 0xFF, 0x1A, 0xFF, 0x00, 0x07]
            : valid[..(valid.Length / 2)];
        foreach (SqeFlags flags in new[] { SqeFlags.None, SqeFlags.Stream | SqeFlags.NewStream | SqeFlags.Last })
        {
            Cqe truncated = device.Run(Opcode.Decompress, algorithm, 0, cut, new byte[input.Length], flags);
            Assert.Equal(CompletionStatus.DataError, truncated.Status);
            Assert.Equal(DataErrorKind.Truncated, (DataErrorKind)truncated.Detail);
            byte[] output = new byte[input.Length];
            Cqe next = device.Run(Opcode.Decompress, algorithm, 0, valid, output, flags); // the same codec as the cut frame's
            Assert.True(next.Status == CompletionStatus.Ok, $"{next.Status} ({(DataErrorKind)next.Detail}) after an abandoned frame");
            Assert.Equal(input, output);
        }
    }

    /// <summary>A zstd frame that declares 1 byte of content and ends with an empty last block is invalid data in block
    /// mode and however stream mode splits it (libzstd 1.5.4 accepted it when the block header came in a later request
    /// than the frame header; found by AFL++, Corpus/zstd/fuzz-content-size-empty-last-block).</summary>
    [Theory]
    [MemberData(nameof(FrameDevice.All), MemberType = typeof(FrameDevice))]
    public void AZstdFrameShortOfItsDeclaredContentSizeIsInvalidDataInEveryPiecing(string engines)
    {
        using var device = new FrameDevice(engines);
        byte[] frame = [0x28, 0xB5, 0x2F, 0xFD, 0x20, 0x01, 0x01, 0x00, 0x00];
        Assert.Equal(DataErrorKind.InvalidData, (DataErrorKind)device.Decompress(CompAlgorithm.Zstd, frame, 64, out _).Detail);
        byte[] output = new byte[64];
        for (int piece = 1; piece <= frame.Length; piece++)
        {
            Cqe cqe = default;
            for (int at = 0; at < frame.Length && cqe.Status == CompletionStatus.Ok; at += piece)
            {
                int length = Math.Min(piece, frame.Length - at);
                SqeFlags flags = SqeFlags.Stream | (at == 0 ? SqeFlags.NewStream : 0) | (at + length == frame.Length ? SqeFlags.Last : 0);
                cqe = device.Run(Opcode.Decompress, CompAlgorithm.Zstd, 0, frame.AsSpan(at, length), output, flags);
            }

            Assert.True(cqe.Status == CompletionStatus.DataError && (DataErrorKind)cqe.Detail == DataErrorKind.InvalidData,
                $"pieces of {piece}: {cqe.Status} ({(DataErrorKind)cqe.Detail})");
        }
    }

    /// <summary>A zstd v0.7 frame (legacy magic 0xFD2FB527, found by the fuzzer: Debian's libzstd decoded it to 0 bytes,
    /// ZstdSharp refused it): an invalid header on both engines, in block mode and a byte per request, and trailing
    /// garbage after a frame (Corpus/zstd/fuzz-legacy-v07*).</summary>
    [Theory]
    [MemberData(nameof(FrameDevice.All), MemberType = typeof(FrameDevice))]
    public void ALegacyZstdFrameIsAnInvalidHeaderOnBothEngines(string engines)
    {
        using var device = new FrameDevice(engines);
        byte[] legacy = [0x27, 0xB5, 0x2F, 0xFD, 0x00, 0x20, 0xC2, 0xED, 0xF7];
        Cqe block = device.Decompress(CompAlgorithm.Zstd, legacy, 1024, out _);
        Assert.Equal(CompletionStatus.DataError, block.Status);
        Assert.Equal(DataErrorKind.InvalidHeader, (DataErrorKind)block.Detail);

        byte[] output = new byte[64];
        Cqe cqe = default;
        for (int i = 0; i < legacy.Length && cqe.Status == CompletionStatus.Ok; i++)
        {
            SqeFlags flags = SqeFlags.Stream | (i == 0 ? SqeFlags.NewStream : 0) | (i == legacy.Length - 1 ? SqeFlags.Last : 0);
            cqe = device.Run(Opcode.Decompress, CompAlgorithm.Zstd, 0, legacy.AsSpan(i, 1), output, flags);
        }

        Assert.Equal(CompletionStatus.DataError, cqe.Status);
        Assert.Equal(DataErrorKind.InvalidHeader, (DataErrorKind)cqe.Detail);

        byte[] after = [.. device.Compress(CompAlgorithm.Zstd, 1, [42]), .. legacy];
        Cqe trailing = device.Decompress(CompAlgorithm.Zstd, after, 1024, out _);
        Assert.Equal(CompletionStatus.DataError, trailing.Status);
        Assert.Equal(DataErrorKind.TrailingGarbage, (DataErrorKind)trailing.Detail);
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void AFlippedContentChecksumIsAChecksumMismatch(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] packed = device.Compress(algorithm, 3, TestData.Text(10_000));
        packed[^1] ^= 0x01; // both formats end with the content checksum
        Cqe cqe = device.Decompress(algorithm, packed, 20_000, out _);
        Assert.Equal(CompletionStatus.DataError, cqe.Status);
        Assert.Equal(DataErrorKind.ChecksumMismatch, (DataErrorKind)cqe.Detail);
    }

    [Theory]
    [MemberData(nameof(FrameDevice.AllWithFormats), MemberType = typeof(FrameDevice))]
    public void ABlockRequestWithTooLittleRoomIsOutOfSpaceAndExactRoomIsOk(string engines, CompAlgorithm algorithm)
    {
        using var device = new FrameDevice(engines);
        byte[] input = TestData.Text(200_000);
        byte[] packed = device.Compress(algorithm, 1, input);
        Cqe small = device.Decompress(algorithm, packed, input.Length - 1, out _);
        Assert.Equal(CompletionStatus.OutOfSpace, small.Status);
        Assert.Equal(0u, small.Produced);
        Assert.Equal(input, device.Decompress(algorithm, packed, input.Length));

        Cqe tight = device.Run(Opcode.Compress, algorithm, 1, input, new byte[packed.Length / 2]);
        Assert.Equal(CompletionStatus.OutOfSpace, tight.Status);
    }

    [Theory]
    [MemberData(nameof(FrameDevice.All), MemberType = typeof(FrameDevice))]
    public void LevelsOutsideEachFormatsRangeAreBadRequests(string engines)
    {
        using var device = new FrameDevice(engines);
        byte[] output = new byte[1024];
        Assert.Equal(CompletionStatus.BadRequest, device.Run(Opcode.Compress, CompAlgorithm.Zstd, 23, [1, 2, 3], output).Status);
        Assert.Equal(CompletionStatus.BadRequest, device.Run(Opcode.Compress, CompAlgorithm.Lz4, 13, [1, 2, 3], output).Status);
        Assert.Equal(CompletionStatus.Ok, device.Run(Opcode.Compress, CompAlgorithm.Zstd, -128, [1, 2, 3], output).Status);
        Assert.Equal(CompletionStatus.Unsupported, device.Run(Opcode.Compress, (CompAlgorithm)5, 1, [1, 2, 3], output).Status);
    }

    /// <summary>A skippable frame (zstd and LZ4 share the layout): magic, length, that many bytes.</summary>
    internal static byte[] Skippable(uint magic, int length)
    {
        byte[] frame = new byte[8 + length];
        BinaryPrimitives.WriteUInt32LittleEndian(frame, magic);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), (uint)length);
        frame.AsSpan(8).Fill(0x5A);
        return frame;
    }
}
