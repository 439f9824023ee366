using System.Globalization;
using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Streams;

namespace WarpDrive.Tests.Frames;

/// <summary>zstd dictionaries (issue 21): trained by the <c>zstd</c> tool (<c>--train</c>) or raw content, used by the
/// device on both engines, in CompressionSession (block and stream), WdZstdStream and <c>wd compress|decompress -D</c>,
/// read and written interchangeably with <c>zstd -D</c>; a missing, wrong or corrupt dictionary is a data error with
/// its detail, never a device fault; hostile dictionary fields are bad requests.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class ZstdDictionaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wd-zdict-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>A small JSON record like those an API sends by the thousand: the case dictionaries are for.</summary>
    internal static byte[] Record(int i, int seed)
    {
        var random = new Random((seed * 7919) + i);
        string status = random.Next(3) == 0 ? "suspended" : "active", role = random.Next(2) == 0 ? "writer" : "auditor";
        string json = string.Create(CultureInfo.InvariantCulture,
            $"{{\"id\":{i},\"user\":\"user-{random.Next(100_000)}\",\"status\":\"{status}\",\"roles\":[\"reader\",\"{role}\"],"
            + $"\"created\":\"2026-{random.Next(1, 13):00}-{random.Next(1, 29):00}T{random.Next(24):00}:{random.Next(60):00}:00Z\","
            + $"\"region\":\"eu-west-{random.Next(1, 4)}\",\"quota\":{{\"requests\":{random.Next(1000, 9000)},\"bytes\":{random.Next(1 << 20, 1 << 30)}}}}}");
        return System.Text.Encoding.UTF8.GetBytes(json);
    }

    /// <summary>Trains a dictionary with <c>zstd --train</c> on 2,000 records of <paramref name="seed"/>.</summary>
    private string Train(int seed)
    {
        string samples = Path.Combine(_dir, $"samples-{seed}");
        Directory.CreateDirectory(samples);
        for (int i = 0; i < 2000; i++)
        {
            File.WriteAllBytes(Path.Combine(samples, i.ToString(CultureInfo.InvariantCulture)), Record(i, seed));
        }

        string dictionary = Path.Combine(_dir, $"dict-{seed}");
        var r = CliRunner.Run("zstd", $"-q --train -r '{samples}' --maxdict=8192 -o '{dictionary}'");
        Assert.True(r.Code == 0, r.Stderr);
        return dictionary;
    }

    /// <summary>Pipes through <c>zstd</c> (no shell: paths go unquoted; temporary directories have no spaces).</summary>
    private static byte[] Tool(string args, byte[] input) => CliRunner.PipeAsync("zstd", args, input).GetAwaiter().GetResult();

    private static Cqe Compress(FrameDevice device, byte[] input, byte[] dictionary, out byte[] packed)
    {
        byte[] output = new byte[input.Length + 1024];
        Cqe cqe = device.Run(Opcode.Compress, CompAlgorithm.Zstd, 3, input, output, dictionary);
        packed = output[..(int)cqe.Produced];
        return cqe;
    }

    private static Cqe Decompress(FrameDevice device, byte[] packed, byte[] dictionary, int capacity, out byte[] output)
    {
        byte[] buffer = new byte[capacity];
        Cqe cqe = device.Run(Opcode.Decompress, CompAlgorithm.Zstd, 0, packed, buffer, dictionary);
        output = buffer[..(int)cqe.Produced];
        return cqe;
    }

    [Theory]
    [MemberData(nameof(FrameDevice.All), MemberType = typeof(FrameDevice))]
    public void TrainedDictionaryFramesShrinkRecordsAndInteroperateWithZstdDashD(string engines)
    {
        string path = Train(1);
        byte[] dictionary = File.ReadAllBytes(path);
        using var device = new FrameDevice(engines);
        long with = 0, without = 0;
        for (int i = 5000; i < 5040; i++) // records the training never saw
        {
            byte[] record = Record(i, 1);
            Assert.Equal(CompletionStatus.Ok, Compress(device, record, dictionary, out byte[] packed).Status);
            without += device.Compress(CompAlgorithm.Zstd, 3, record).Length;
            with += packed.Length;
            Assert.Equal(record, Tool($"-q -d -c -D {path}", packed));

            byte[] theirs = Tool($"-q -3 -c -D {path}", record);
            Cqe cqe = Decompress(device, theirs, dictionary, record.Length + 16, out byte[] back);
            Assert.True(cqe.Status == CompletionStatus.Ok, $"{cqe.Status} ({(DataErrorKind)cqe.Detail})");
            Assert.Equal(record, back);
        }

        Assert.True(with * 2 < without, $"with the dictionary {with} bytes, without {without}: the dictionary did not help");
    }

    [Theory]
    [MemberData(nameof(FrameDevice.All), MemberType = typeof(FrameDevice))]
    public void AFrameWithoutItsDictionaryOrWithAnotherNeedsTheDictionary(string engines)
    {
        byte[] dictionary = File.ReadAllBytes(Train(1)), other = File.ReadAllBytes(Train(2));
        using var device = new FrameDevice(engines);
        byte[] record = Record(9000, 1);
        Assert.Equal(CompletionStatus.Ok, Compress(device, record, dictionary, out byte[] packed).Status);
        foreach (byte[] wrong in new[] { [], other })
        {
            Cqe cqe = Decompress(device, packed, wrong, 4096, out _);
            Assert.Equal(CompletionStatus.DataError, cqe.Status);
            Assert.Equal(DataErrorKind.NeedsDictionary, (DataErrorKind)cqe.Detail);
        }

        Assert.Equal(record, device.Decompress(CompAlgorithm.Zstd, device.Compress(CompAlgorithm.Zstd, 3, record), 4096)); // still serving
    }

    [Theory]
    [MemberData(nameof(FrameDevice.All), MemberType = typeof(FrameDevice))]
    public void RawContentIsADictionaryAsZstdTakesIt(string engines)
    {
        byte[] raw = [.. Record(1, 3), .. Record(2, 3), .. Record(3, 3)]; // no magic number: zstd takes it as content
        string path = Path.Combine(_dir, "raw");
        File.WriteAllBytes(path, raw);
        using var device = new FrameDevice(engines);
        byte[] record = Record(4, 3);
        Assert.Equal(CompletionStatus.Ok, Compress(device, record, raw, out byte[] packed).Status);
        Assert.True(packed.Length < device.Compress(CompAlgorithm.Zstd, 3, record).Length, "raw content did not prime the frame");
        Assert.Equal(record, Tool($"-q -d -c -D {path}", packed));
        Assert.Equal(CompletionStatus.Ok, Decompress(device, Tool($"-q -c -D {path}", record), raw, 4096, out byte[] back).Status);
        Assert.Equal(record, back);
    }

    [Theory]
    [MemberData(nameof(FrameDevice.All), MemberType = typeof(FrameDevice))]
    public void ACorruptDictionaryIsABadDictionaryNeverADeviceFault(string engines)
    {
        byte[] dictionary = File.ReadAllBytes(Train(1));
        byte[] corrupt = (byte[])dictionary.Clone();
        corrupt.AsSpan(8, 64).Fill(0xFF); // magic and ID kept, the entropy tables after them broken
        using var device = new FrameDevice(engines);
        byte[] record = Record(1, 1);
        Cqe packed = Compress(device, record, corrupt, out _);
        Assert.True(packed.Status == CompletionStatus.DataError, $"{packed.Status} ({(DataErrorKind)packed.Detail}): {device.LastFault}");
        Assert.Equal(DataErrorKind.BadDictionary, (DataErrorKind)packed.Detail);
        Assert.Equal(CompletionStatus.Ok, Compress(device, record, dictionary, out byte[] good).Status);
        Cqe unpacked = Decompress(device, good, corrupt, 4096, out _);
        Assert.True(unpacked.Status == CompletionStatus.DataError, $"{unpacked.Status} ({(DataErrorKind)unpacked.Detail})");
        Assert.Equal(DataErrorKind.BadDictionary, (DataErrorKind)unpacked.Detail);
        // The engine took none of it as its own fault, and serves the good dictionary right after.
        Assert.Equal(0, device.Faults);
        Assert.Equal(CompletionStatus.Ok, Decompress(device, good, dictionary, 4096, out byte[] back).Status);
        Assert.Equal(record, back);
    }

    [Theory]
    [MemberData(nameof(FrameDevice.All), MemberType = typeof(FrameDevice))]
    public unsafe void DictionaryFieldsOutsideAZstdFramesStartAreBadRequests(string engines)
    {
        byte[] dictionary = File.ReadAllBytes(Train(1));
        using var device = new FrameDevice(engines);
        byte[] record = Record(1, 1), output = new byte[4096];
        fixed (byte* d = dictionary)
        {
            var address = (ulong)d;
            var length = (uint)dictionary.Length;
            Assert.Equal(CompletionStatus.BadRequest, device.Run(Opcode.Compress, CompAlgorithm.Lz4, 1, record, output, dictionary).Status);
            Assert.Equal(CompletionStatus.BadRequest, device.Run(Opcode.Compress, CompAlgorithm.Gzip, 1, record, output, dictionary).Status);
            Assert.Equal(CompletionStatus.BadRequest, device.Run(Opcode.Compress, CompAlgorithm.Zstd, 3, record, output, parameters: address).Status);
            Assert.Equal(CompletionStatus.BadRequest, device.Run(Opcode.Compress, CompAlgorithm.Zstd, 3, record, output, arg: length).Status);
            Assert.Equal(CompletionStatus.BadRequest, device.Run(Opcode.Compress, CompAlgorithm.Zstd, 3, record, output,
                parameters: address, arg: ZipDeviceLimit + 1).Status);

            // A stream takes its dictionary where it starts; one on a later request is refused.
            Cqe first = device.Run(Opcode.Compress, CompAlgorithm.Zstd, 3, record, output, SqeFlags.Stream | SqeFlags.NewStream, 0, address, length);
            Assert.Equal(CompletionStatus.Ok, first.Status);
            Assert.Equal(CompletionStatus.BadRequest,
                device.Run(Opcode.Compress, CompAlgorithm.Zstd, 3, record, output, SqeFlags.Stream | SqeFlags.Last, 0, address, length).Status);
        }
    }

    private const uint ZipDeviceLimit = Devices.Zip.ZipDevice.MaxDictionaryLength;

    [Fact]
    public void SessionsWithAndWithoutADictionaryTakeTurnsOnOneEngine()
    {
        // The engine keeps the last dictionary's tables for the next request that names the same one: a request with
        // another dictionary, or none, between them must not see it (zstd -d without -D reads the plain frames).
        string path = Train(1);
        byte[] dictionary = File.ReadAllBytes(path);
        using WdRuntime runtime = Engines.Runtime("zlib");
        using var primed = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Zstd, Level = 3, Dictionary = dictionary }, runtime);
        using var plain = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Zstd, Level = 3 }, runtime);
        using var unpack = new CompressionSession(new CompressionSessionOptions
        {
            Algorithm = CompressionAlgorithm.Zstd, Direction = CompressionDirection.Decompress, Dictionary = dictionary,
        }, runtime);
        byte[] output = new byte[4096], back = new byte[4096];
        for (int i = 0; i < 30; i++)
        {
            byte[] record = Record(7000 + i, 1);
            CompressionSession session = i % 3 == 2 ? plain : primed;
            CompressionResult r = session.Process(record, output);
            Assert.True(r.IsOk, r.ToString());
            byte[] packed = output[..r.Produced];
            Assert.Equal(record, Tool(session == plain ? "-q -d -c" : $"-q -d -c -D {path}", packed));
            CompressionResult u = unpack.Process(packed, back);
            Assert.True(u.IsOk && back.AsSpan(0, u.Produced).SequenceEqual(record), u.ToString());
        }
    }

    [Fact]
    public void WdZstdStreamWithADictionaryWritesFramesZstdReadsAndReadsConcatenatedOnes()
    {
        string path = Train(1);
        using var dictionary = WdZstdDictionary.Create(File.ReadAllBytes(path), quality: 5);
        Assert.Equal(5, dictionary.Quality);
        byte[] Pack(int first)
        {
            var packed = new MemoryStream();
            using (var z = new WdZstdStream(packed, CompressionMode.Compress, dictionary, leaveOpen: true))
            {
                for (int i = first; i < first + 200; i++)
                {
                    z.Write(Record(i, 1));
                    z.Flush(); // a frame block per record, each primed by the dictionary's history
                }
            }

            return packed.ToArray();
        }

        byte[] a = Pack(10_000), b = Pack(20_000);
        byte[] expected = [.. Enumerable.Range(10_000, 200).SelectMany(i => Record(i, 1)), .. Enumerable.Range(20_000, 200).SelectMany(i => Record(i, 1))];
        Assert.Equal(expected, Tool($"-q -d -c -D {path}", [.. a, .. b]));

        using var unpack = new WdZstdStream(new MemoryStream([.. a, .. b]), CompressionMode.Decompress, dictionary);
        var back = new MemoryStream();
        unpack.CopyTo(back);
        Assert.Equal(expected, back.ToArray());

        // Without it, the stream says what is missing.
        using var blind = new WdZstdStream(new MemoryStream(a), CompressionMode.Decompress);
        var error = Assert.Throws<InvalidDataException>(() => blind.CopyTo(Stream.Null));
        Assert.Contains("dictionary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsRefuseADictionaryForAnotherFormatOrTooLong()
    {
        Assert.Throws<ArgumentException>(() => new CompressionSession(new CompressionSessionOptions
        {
            Algorithm = CompressionAlgorithm.Lz4, Dictionary = new byte[100],
        }));
        Assert.Throws<ArgumentException>(() => WdZstdDictionary.Create([]));
        Assert.Throws<ArgumentException>(() => WdZstdDictionary.Create(new byte[CompressionSessionOptions.MaxDictionaryLength + 1]));
        var disposed = WdZstdDictionary.Create([1, 2, 3]);
        disposed.Dispose();
        Assert.Throws<ObjectDisposedException>(() => new WdZstdStream(Stream.Null, CompressionMode.Compress, disposed));
    }

    [Fact]
    public void WdCompressAndDecompressTakeZstdsDashD()
    {
        string path = Train(1);
        byte[] records = [.. Enumerable.Range(30_000, 50).SelectMany(i => Record(i, 1))];
        string input = Path.Combine(_dir, "records");
        File.WriteAllBytes(input, records);

        var ours = CliRunner.Wd($"compress -a zstd -D '{path}' -o '{input}.zst' '{input}'");
        Assert.True(ours.Code == 0, ours.Stderr);
        Assert.Equal(0, CliRunner.Run("zstd", $"-q -d -c -D '{path}' '{input}.zst'", stdoutFile: input + ".back").Code);
        Assert.Equal(records, File.ReadAllBytes(input + ".back"));

        Assert.Equal(0, CliRunner.Run("zstd", $"-q -c -D '{path}' '{input}'", stdoutFile: input + ".ref").Code);
        var back = CliRunner.Wd($"decompress -a zstd --dictionary '{path}' -o '{input}.out' '{input}.ref'");
        Assert.True(back.Code == 0, back.Stderr);
        Assert.Equal(records, File.ReadAllBytes(input + ".out"));

        // Without the dictionary, with a missing one, with one for another format: one line, its exit code, no output.
        string output = Path.Combine(_dir, "none");
        foreach ((string args, int code, string words) in new[]
        {
            ($"decompress -a zstd -o '{output}' '{input}.ref'", 1, "dictionary"),
            ($"decompress -a zstd -D '{_dir}/missing' -o '{output}' '{input}.ref'", 4, "No such file"),
            ($"compress -a gzip -D '{path}' -o '{output}' '{input}'", 2, "--dictionary is for zstd"),
        })
        {
            var r = CliRunner.Wd(args);
            Assert.True(r.Code == code, $"{args}: exit {r.Code}: {r.Stderr}");
            string[] lines = r.Stderr.TrimEnd('\n').Split('\n');
            Assert.Contains(words, lines[0], StringComparison.Ordinal);
            Assert.True(lines.Length == 1 || (code == 2 && lines is [_, "Try 'wd --help' for more information."]), r.Stderr); // usage: gzip's hint
            Assert.False(File.Exists(output), $"{args}: an output file was left");
        }
    }
}
