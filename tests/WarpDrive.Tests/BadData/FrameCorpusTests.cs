using WarpDrive.Abi;
using WarpDrive.Tests.Frames;

namespace WarpDrive.Tests.BadData;

/// <summary>The zstd and LZ4 regression corpus (Corpus/{zstd,lz4}: seeds from tests/fuzz/make-frame-seeds.py) through
/// the device on the native libraries and on the managed ports, in block mode and in stream mode (pieces of 7 and of 97
/// bytes into 61-byte outputs, pieces of 4099 into 1000, one request; 7-byte pieces split an LZ4 frame descriptor over
/// three requests, which once looped the managed engine's thread forever): the two engines agree on every file (the same bytes, or both a data
/// error with a kind), stream mode agrees with block mode, and nothing ends in another status.</summary>
public sealed class FrameCorpusTests
{
    private const int Cap = 1 << 20;

    public static TheoryData<string> Formats() => ["zstd", "lz4"];

    [Theory]
    [MemberData(nameof(Formats))]
    public void BothEnginesAgreeOnEveryCorpusFile(string format)
    {
        CompAlgorithm algorithm = format == "zstd" ? CompAlgorithm.Zstd : CompAlgorithm.Lz4;
        string[] files = Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Corpus", format));
        Array.Sort(files, StringComparer.Ordinal); // one order everywhere: a file may leave state behind for the next
        Assert.True(files.Length >= 20, $"the {format} corpus is missing from the test output");
        string[] engines = FrameDevice.All().Count == 2 ? ["managed", "native"] : ["managed"];
        // One device at a time: its engine thread polls, and two of them would starve the test on a small machine.
        var outcomes = new Dictionary<string, byte[]?>[engines.Length];
        for (int i = 0; i < engines.Length; i++)
        {
            outcomes[i] = [];
            using var device = new FrameDevice(engines[i]);
            foreach (string file in files)
            {
                byte[] data = File.ReadAllBytes(file);
                string name = $"{format}/{Path.GetFileName(file)} on {engines[i]}";
                Cqe cqe = device.Decompress(algorithm, data, Cap, out byte[] output);
                byte[]? decoded = Outcome(name, cqe, output);
                outcomes[i][file] = decoded;
                foreach ((int piece, int room) in ((int, int)[])[(7, 61), (97, 61), (4099, 1000), (data.Length + 1, Cap)])
                {
                    byte[]? streamed = Streamed(name, device, algorithm, data, piece, room);
                    Assert.True(decoded is null ? streamed is null : streamed is not null && decoded.AsSpan().SequenceEqual(streamed),
                        $"{name}: stream mode (pieces of {piece}, output {room}) disagrees with block mode");
                }
            }
        }

        int ok = 0, errors = 0;
        foreach (string file in files)
        {
            byte[]? first = outcomes[0][file];
            Assert.True(outcomes.All(o => o[file] is null) || outcomes.All(o => o[file] is { } bytes && bytes.AsSpan().SequenceEqual(first)),
                $"{format}/{Path.GetFileName(file)}: the engines disagree ({string.Join(", ", outcomes.Select(o => o[file] is null ? "error" : $"{o[file]!.Length} bytes"))})");
            _ = first is null ? errors++ : ok++;
        }

        Assert.True(ok >= 10 && errors >= 10, $"{ok} files decoded, {errors} refused: the corpus lost its seeds");
    }

    /// <summary>The decoded bytes, or null for a data error with a kind; any other status fails.</summary>
    private static byte[]? Outcome(string name, in Cqe cqe, byte[] output)
    {
        if (cqe.Status == CompletionStatus.DataError)
        {
            Assert.True((DataErrorKind)cqe.Detail != DataErrorKind.None, $"{name}: a data error without a kind");
            return null;
        }

        Assert.True(cqe.Status == CompletionStatus.Ok, $"{name}: {cqe.Status}");
        return output;
    }

    /// <summary>Stream mode over pieces of <paramref name="piece"/> bytes into outputs of <paramref name="room"/> bytes.</summary>
    private static byte[]? Streamed(string name, FrameDevice device, CompAlgorithm algorithm, byte[] data, int piece, int room)
    {
        var result = new MemoryStream();
        byte[] output = new byte[room];
        int position = 0;
        SqeFlags flags = SqeFlags.Stream | SqeFlags.NewStream;
        for (int requests = 0; requests < 20_000; requests++)
        {
            int length = Math.Min(piece, data.Length - position);
            bool last = position + length == data.Length;
            Cqe cqe = device.Run(Opcode.Decompress, algorithm, 0, data.AsSpan(position, length), output, flags | (last ? SqeFlags.Last : 0));
            flags = SqeFlags.Stream;
            if (cqe.Status == CompletionStatus.DataError)
            {
                Assert.True((DataErrorKind)cqe.Detail != DataErrorKind.None, $"{name}: a data error without a kind");
                return null;
            }

            Assert.True(cqe.Status is CompletionStatus.Ok or CompletionStatus.OutOfSpace, $"{name}: {cqe.Status}");
            Assert.True(cqe.Consumed > 0 || cqe.Produced > 0 || (cqe.Flags & CqeFlags.EndOfStream) != 0 || last,
                $"{name}: request {requests} at {position} made no progress ({cqe.Status})");
            result.Write(output, 0, (int)cqe.Produced);
            position += (int)cqe.Consumed;
            if ((cqe.Flags & CqeFlags.EndOfStream) != 0 && position == data.Length)
            {
                return result.ToArray();
            }

            Assert.True(result.Length <= Cap, $"{name}: more than {Cap} bytes");
        }

        Assert.Fail($"{name}: stream mode made no progress");
        return null;
    }
}
