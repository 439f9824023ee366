using System.Buffers;
using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>A hash or MAC session on a SEC device (UADK's wd_digest session): plain hashes, HMAC, and AES-CMAC.
/// One-shot requests (synchronous, asynchronous, data list), or with <c>incremental</c> a long message fed in pieces
/// (<see cref="Append"/> ... <see cref="Finish"/>: first, middle and final requests) whose state the device keeps in
/// a stream context.</summary>
/// <example>
/// <code>
/// using var sha = new DigestSession(DigestAlgorithm.Sha256);
/// Span&lt;byte&gt; hash = stackalloc byte[32];
/// sha.ComputeHash(data, hash);
/// </code>
/// </example>
public sealed class DigestSession : CryptoSession
{
    private bool _streamActive;
    private bool _broken; // a piece failed: the message is incomplete until Reset
    private bool _streamFreed;

    /// <summary>Opens a session on a device that offers <c>digest</c>.</summary>
    /// <param name="algorithm">The hash, or <see cref="DigestAlgorithm.AesCmac"/>.</param>
    /// <param name="key">The MAC key: any length for HMAC, 16/24/32 bytes for AES-CMAC; empty for a plain hash.</param>
    /// <param name="mode"><see cref="DigestMode.Hmac"/> for HMAC.</param>
    /// <param name="incremental">Hold a device stream context so that a message can be fed in pieces.</param>
    /// <param name="runtime">Default: <see cref="WdRuntime.Default"/>.</param>
    public DigestSession(DigestAlgorithm algorithm, ReadOnlySpan<byte> key = default, DigestMode mode = DigestMode.Hash,
        bool incremental = false, WdRuntime? runtime = null)
        : base(Check(algorithm, key, mode), runtime, incremental)
    {
        Algorithm = algorithm;
        Mode = mode;
        HashSize = CryptoRules.HashSize(algorithm);
        if (mode == DigestMode.Hmac || algorithm == DigestAlgorithm.AesCmac)
        {
            try
            {
                SetKey(key);
            }
            catch
            {
                FreeStream(); // the base took a stream context; nobody would give it back
                throw;
            }
        }
    }

    /// <summary>Checks the session's parameters before a queue is taken; returns the device algorithm name.</summary>
    private static string Check(DigestAlgorithm algorithm, ReadOnlySpan<byte> key, DigestMode mode)
    {
        if (!Enum.IsDefined(algorithm) || algorithm == DigestAlgorithm.None)
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown digest algorithm");
        }

        if (!Enum.IsDefined(mode) || (mode == DigestMode.Hmac && algorithm == DigestAlgorithm.AesCmac))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "HMAC takes a hash; AES-CMAC is a MAC of its own");
        }

        bool keyed = mode == DigestMode.Hmac || algorithm == DigestAlgorithm.AesCmac;
        if (!keyed && !key.IsEmpty)
        {
            throw new ArgumentException("a plain hash takes no key (use DigestMode.Hmac for HMAC)", nameof(key));
        }

        if (algorithm == DigestAlgorithm.AesCmac && key.Length is not (16 or 24 or 32))
        {
            throw new ArgumentException($"AES-CMAC needs a 16, 24 or 32-byte AES key (got {key.Length})", nameof(key));
        }

        if (key.Length > CryptoParams.MaxFieldLength)
        {
            throw new ArgumentException($"a MAC key is at most {CryptoParams.MaxFieldLength} bytes", nameof(key));
        }

        return "digest";
    }

    /// <summary>The hash or MAC.</summary>
    public DigestAlgorithm Algorithm { get; }

    /// <summary>Plain or HMAC.</summary>
    public DigestMode Mode { get; }

    /// <summary>Digest size in bytes.</summary>
    public int HashSize { get; }

    /// <summary>Hashes <paramref name="data"/> in one request.</summary>
    /// <returns>Bytes written to <paramref name="destination"/>: <see cref="HashSize"/>.</returns>
    public int ComputeHash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination.Length);
        Cqe cqe = Run(Operation(SqeFlags.None), data, destination[..HashSize]);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Hashes a data list in one request: the device reads each segment in place.</summary>
    public int ComputeHash(ReadOnlySequence<byte> data, Span<byte> destination)
    {
        CheckDestination(destination.Length);
        Cqe cqe = Run(Operation(SqeFlags.None), data, destination[..HashSize]);
        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Submits a one-shot hash and returns at once.</summary>
    public ValueTask<int> ComputeHashAsync(ReadOnlyMemory<byte> data, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        CheckDestination(destination.Length);
        return RunAsync(Operation(SqeFlags.None), data, destination[..HashSize], default, default, default, CryptoStatus.Produced, cancellationToken);
    }

    /// <summary>Submits a one-shot hash whose result goes to <paramref name="callback"/>; false (BUSY) when the queue is
    /// full and nothing was submitted.</summary>
    public bool TryComputeHash(ReadOnlyMemory<byte> data, Memory<byte> destination, CryptoCallback callback, object? state = null)
    {
        CheckDestination(destination.Length);
        return TrySubmit(Operation(SqeFlags.None), data, destination[..HashSize], default, default, callback, state);
    }

    /// <summary>Feeds the next piece of a long message (the first piece starts it). Incremental sessions only.</summary>
    public void Append(ReadOnlySpan<byte> data)
    {
        SqeFlags flags = StreamFlags();
        Cqe cqe = Run(Operation(flags), data, default);
        _streamActive = true; // on the device now, or failed: either way the next piece must not start a new message
        _broken = cqe.Status != CompletionStatus.Ok;
        CryptoStatus.Produced(in cqe);
    }

    /// <summary>Feeds the last piece (possibly empty) and writes the digest of everything appended; the next
    /// <see cref="Append"/> starts a new message. Incremental sessions only.</summary>
    /// <returns>Bytes written: <see cref="HashSize"/>.</returns>
    public int Finish(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        CheckDestination(destination.Length);
        SqeFlags flags = StreamFlags() | SqeFlags.Last;
        Cqe cqe = Run(Operation(flags), data, destination[..HashSize]);
        if (cqe.Status == CompletionStatus.Ok)
        {
            _streamActive = false; // the final piece ended the device's stream
        }
        else
        {
            _broken = true;
        }

        return CryptoStatus.Produced(in cqe);
    }

    /// <summary>Abandons the message being appended; the next <see cref="Append"/> starts a new one.</summary>
    public void Reset()
    {
        _broken = false;
        if (_streamActive)
        {
            ReleaseStream();
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !_streamFreed)
        {
            try
            {
                if (StreamId >= 0 && _streamActive && Context.Queue.State == QueueState.Started)
                {
                    ReleaseStream();
                }
            }
            finally
            {
                FreeStream();
            }
        }

        base.Dispose(disposing);
    }

    /// <summary>Gives the stream id back to the context, once: a second Dispose must not free an id another session
    /// holds by then.</summary>
    private void FreeStream()
    {
        if (!_streamFreed && StreamId >= 0)
        {
            Context.FreeStreamId(StreamId);
        }

        _streamFreed = true;
    }

    private void ReleaseStream()
    {
        _streamActive = false;
        var op = new CryptoOperation(Opcode.StreamRelease, 0) { Flags = SqeFlags.Stream, StreamId = (uint)StreamId, UsesKey = false, HasParams = false };
        Cqe cqe = Run(in op, ReadOnlySpan<byte>.Empty, default);
        CryptoStatus.Produced(in cqe);
    }

    private SqeFlags StreamFlags()
    {
        if (StreamId < 0)
        {
            throw new InvalidOperationException("Append and Finish need a session opened with incremental: true");
        }

        if (_broken)
        {
            throw new InvalidOperationException("an earlier piece of this message failed, so its digest would be wrong: call Reset() to start a new message");
        }

        return SqeFlags.Stream | (_streamActive ? SqeFlags.None : SqeFlags.NewStream);
    }

    private CryptoOperation Operation(SqeFlags flags) => new(Opcode.Digest, (byte)Algorithm)
    {
        Mode = (byte)Mode,
        Flags = flags,
        StreamId = StreamId < 0 ? 0u : (uint)StreamId,
        UsesKey = (flags & SqeFlags.Stream) == 0 || (flags & SqeFlags.NewStream) != 0, // the device keeps a stream's key
    };

    private void CheckDestination(int length)
    {
        if (length < HashSize)
        {
            throw new ArgumentException($"the destination must hold the {HashSize}-byte digest (got {length})");
        }
    }
}
