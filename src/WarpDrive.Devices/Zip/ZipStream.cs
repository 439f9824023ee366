using WarpDrive.Abi;
using WarpDrive.Devices.Engines;

namespace WarpDrive.Devices.Zip;

/// <summary>One compression or decompression stream: a codec plus what the ZIP device tracks around it
/// (running checksum of the uncompressed data, end of stream, gzip members, zstd and LZ4 frames). Used per request in block mode and kept per
/// <c>StreamId</c> in stream mode.</summary>
internal sealed unsafe class ZipStream : IDisposable
{
    private readonly RunningChecksum _checksum = new();
    private Codec? _codec;
    private object? _engine;
    private long _memberOutput;

    public Opcode Direction { get; private set; }

    public CompAlgorithm Algorithm { get; private set; }

    public bool Ended { get; private set; }

    public int Members { get; private set; }

    /// <summary>Decompression reads on past the end of the first member or frame: gzip members, zstd and LZ4 frames.</summary>
    private bool MultiFrame => Algorithm is CompAlgorithm.Gzip or CompAlgorithm.Zstd or CompAlgorithm.Lz4;

    /// <summary>Starts a new stream on <paramref name="device"/>'s engine for <paramref name="algorithm"/>, keeping the
    /// native state when the engine and direction allow it.</summary>
    /// <param name="dictionary">zstd: the dictionary the stream uses (empty for none), already mapped.</param>
    /// <returns><see cref="DataErrorKind.None"/>, or why the dictionary was refused (the stream is then not started).</returns>
    public DataErrorKind Reset(Opcode direction, CompAlgorithm algorithm, int level, int windowBits, ZipDevice device,
        ReadOnlySpan<byte> dictionary = default)
    {
        bool compress = direction == Opcode.Compress;
        object engine = algorithm switch
        {
            CompAlgorithm.Zstd => device.ZstdEngine,
            CompAlgorithm.Lz4 => device.Lz4Engine,
            // Level 0 means stored blocks, which only zlib produces; ISA-L has no such level.
            _ => compress && level == 0 ? DeflateEngine.Zlib : device.Engine,
        };
        if (_codec is null || _engine != engine || Direction != direction)
        {
            _codec?.Dispose();
            _codec = engine switch
            {
                ZstdEngine z => compress ? z.CreateCompressor() : z.CreateDecompressor(),
                Lz4Engine l => compress ? l.CreateCompressor() : l.CreateDecompressor(),
                _ => compress ? ((DeflateEngine)engine).CreateCompressor() : ((DeflateEngine)engine).CreateDecompressor(),
            };
            _engine = engine;
        }

        Direction = direction;
        Algorithm = algorithm;
        DataErrorKind refused = _codec.Reset(algorithm, level, windowBits, dictionary);
        _checksum.Reset(algorithm);
        Ended = false;
        Members = 0;
        _memberOutput = 0;
        return refused;
    }

    /// <summary>Runs the stream over the input segments into one output buffer and fills in the completion.</summary>
    /// <param name="segments">Input segments (device pointers), at least one.</param>
    /// <param name="finalInput">No input follows this request (block mode, or the <c>Last</c> flag).</param>
    /// <param name="syncFlush">Compression: end this request's output on a byte boundary.</param>
    /// <param name="probeWhenFull">Block mode: the stream state may be spent to tell a full output from truncated input.</param>
    /// <param name="queue">The queue the request came from: a request of many gzip members stops between members once
    /// the queue is being released or disabled (many tiny members are the slowest input there is).</param>
    public void Run(ReadOnlySpan<(nint Pointer, int Length)> segments, byte* output, int outputLength,
        bool finalInput, bool syncFlush, bool probeWhenFull, HardwareQueue queue, ref Cqe cqe)
    {
        Codec codec = _codec ?? throw new InvalidOperationException("stream not started");
        byte nowhere;
        if (output == null)
        {
            // An empty destination may be address 0, but zlib refuses a null output pointer even with no room
            // (Z_STREAM_ERROR): give the codec a valid pointer with room for nothing.
            output = &nowhere;
            outputLength = 0;
        }

        long consumed = 0;
        int produced = 0;
        cqe.Status = CompletionStatus.Ok;
        for (int i = 0; i < segments.Length; i++)
        {
            bool lastSegment = i == segments.Length - 1;
            FlushMode flush = lastSegment && finalInput ? FlushMode.Finish
                : lastSegment && syncFlush ? FlushMode.Sync
                : FlushMode.None;
            byte* input = (byte*)segments[i].Pointer;
            int length = segments[i].Length;
            int offset = 0;
            while (true)
            {
                if (Ended)
                {
                    // gzip, zstd, LZ4: another member or frame may follow (as gzip -d reads `cat a.gz b.gz`).
                    if (Direction == Opcode.Decompress && MultiFrame && HasInput(segments, i, offset))
                    {
                        if (queue.StopRequested)
                        {
                            cqe.Status = CompletionStatus.Disabled; // nobody waits for the rest
                            goto done;
                        }

                        codec.Reset(Algorithm, 0, 15);
                        Ended = false;
                        Members++;
                        _memberOutput = 0;
                    }
                    else
                    {
                        break;
                    }
                }

                CodecStatus status = codec.Process(input + offset, length - offset, output + produced, outputLength - produced,
                    flush, out int c, out int p, out DataErrorKind error);
                // The device folds the bytes in itself: ISA-L's internal checksum lags behind the input it has
                // buffered and keeps Adler-32 minus one until the end, so it is no running checksum; zstd's and LZ4's
                // libraries expose none, and theirs would restart with each frame.
                if (Direction == Opcode.Compress)
                {
                    _checksum.Append(input + offset, c);
                }
                else
                {
                    _checksum.Append(output + produced, p);
                }

                offset += c;
                consumed += c;
                produced += p;
                _memberOutput += p;
                switch (status)
                {
                    case CodecStatus.StreamEnd:
                        Ended = true;
                        if (Direction == Opcode.Compress)
                        {
                            goto done;
                        }

                        continue;
                    case CodecStatus.NeedInput:
                        break;
                    case CodecStatus.OutputFull:
                        cqe.Status = CompletionStatus.OutOfSpace;
                        if (probeWhenFull && Direction == Opcode.Decompress && lastSegment && offset == length)
                        {
                            // All input read and the output exactly full: more output, or truncated input? Ask the codec.
                            ProbeAfterFullOutput(codec, flush, ref cqe);
                        }

                        goto done;
                    default:
                        cqe.Status = CompletionStatus.DataError;
                        cqe.Detail = (uint)Classify(error);
                        goto done;
                }

                break;
            }

            if (Ended && !(Direction == Opcode.Decompress && MultiFrame))
            {
                break; // trailing bytes are left unconsumed for the caller
            }
        }

    done:
        cqe.Consumed = (uint)consumed;
        cqe.Produced = (uint)produced;
        cqe.Checksum = _checksum.Value;
        if (Ended && cqe.Status == CompletionStatus.Ok)
        {
            cqe.Flags |= CqeFlags.EndOfStream;
        }
    }

    private void ProbeAfterFullOutput(Codec codec, FlushMode flush, ref Cqe cqe)
    {
        byte scratch;
        CodecStatus status = codec.Process(null, 0, &scratch, 1, flush, out _, out int produced, out DataErrorKind error);
        if (produced > 0 || status == CodecStatus.OutputFull)
        {
            return; // really more output than room
        }

        if (status == CodecStatus.StreamEnd)
        {
            Ended = true;
            cqe.Status = CompletionStatus.Ok;
        }
        else if (status == CodecStatus.DataError)
        {
            cqe.Status = CompletionStatus.DataError;
            cqe.Detail = (uint)Classify(error);
        }
    }

    /// <summary>Bytes after a complete gzip member (or zstd or LZ4 frame) that do not start another one are trailing garbage.</summary>
    private DataErrorKind Classify(DataErrorKind error) =>
        Members > 0 && _memberOutput == 0 && error is DataErrorKind.InvalidHeader or DataErrorKind.Truncated
            ? DataErrorKind.TrailingGarbage
            : error;

    private static bool HasInput(ReadOnlySpan<(nint Pointer, int Length)> segments, int index, int offset)
    {
        if (offset < segments[index].Length)
        {
            return true;
        }

        for (int j = index + 1; j < segments.Length; j++)
        {
            if (segments[j].Length > 0)
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        _codec?.Dispose();
        _codec = null;
    }
}
