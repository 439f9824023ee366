using WarpDrive.Abi;
using WarpDrive.Devices.Crypto;

namespace WarpDrive.Devices.Sec;

/// <summary>Executes <see cref="Opcode.Digest"/>: a hash, HMAC or AES-CMAC of <c>Src</c> (or a data list) into
/// <c>Dst</c>, in one request or, with <see cref="SqeFlags.Stream"/>, fed in pieces through a per-queue stream
/// context: <see cref="SqeFlags.NewStream"/> starts it (algorithm, mode and key come from that piece), middle pieces
/// produce nothing, <see cref="SqeFlags.Last"/> writes the digest and frees the context.</summary>
internal static class DigestRequest
{
    private static readonly KeyedFactory<SecDigest> s_mac =
        static (key, variant) => SecDigest.Create((DigestAlgorithm)(variant >> 8), (DigestMode)(variant & 0xFF), key);

    public static CompletionStatus Execute(in Sqe sqe, HardwareQueue queue, SecEngineState state, ref Cqe cqe)
    {
        RequestMemory memory = state.Memory;
        CompletionStatus status = Check(in sqe, queue, memory, out CryptoParams p);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        status = CryptoRequest.MapSecret(memory, queue, p.Key, p.KeyLen, CryptoParams.MaxFieldLength, out ReadOnlySpan<byte> key);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        status = SecSource.Map(state, queue, in sqe, out int count, out int total);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        status = FindStream(in sqe, queue, out DigestStream? running);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        scoped Span<byte> destination = default;
        if (IsFinal(in sqe))
        {
            if (sqe.DstLen < SecDigest.SizeOf((DigestAlgorithm)sqe.Algorithm))
            {
                return CompletionStatus.OutOfSpace; // nothing consumed: a stream stays as it was
            }

            status = CryptoRequest.MapDestination(memory, queue, in sqe, out destination);
            if (status != CompletionStatus.Ok)
            {
                return status;
            }
        }

        SecDigest digest = running?.Digest ?? Begin(in sqe, queue, state, key);
        return Feed(in sqe, queue, state, digest, count, total, destination, ref cqe);
    }

    private static bool IsFirst(in Sqe sqe) => (sqe.Flags & SqeFlags.Stream) == 0 || (sqe.Flags & SqeFlags.NewStream) != 0;

    private static bool IsFinal(in Sqe sqe) => (sqe.Flags & SqeFlags.Stream) == 0 || (sqe.Flags & SqeFlags.Last) != 0;

    private static bool IsKeyed(DigestAlgorithm algorithm, DigestMode mode) => mode == DigestMode.Hmac || algorithm == DigestAlgorithm.AesCmac;

    /// <summary>The checks on the SQE and its parameter block: algorithm and mode, the stream fields, the key (with
    /// the first piece only: HMAC any length, CMAC an AES key, a plain hash none); UNSUPPORTED where the libraries lack
    /// the algorithm.</summary>
    private static CompletionStatus Check(in Sqe sqe, HardwareQueue queue, RequestMemory memory, out CryptoParams p)
    {
        p = default;
        var algorithm = (DigestAlgorithm)sqe.Algorithm;
        var mode = (DigestMode)sqe.Mode;
        bool stream = (sqe.Flags & SqeFlags.Stream) != 0;
        if (sqe.Hash != 0 || sqe.Arg != 0 || (sqe.Flags & SqeFlags.Flush) != 0
            || !Defined(algorithm) || mode is not (DigestMode.Hash or DigestMode.Hmac)
            || (algorithm == DigestAlgorithm.AesCmac && mode != DigestMode.Hash)
            || (stream ? sqe.StreamId >= queue.MaxStreams : (sqe.StreamId != 0 || (sqe.Flags & (SqeFlags.NewStream | SqeFlags.Last)) != 0)))
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = CryptoRequest.ReadParams(memory, queue, in sqe, out p);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        bool first = IsFirst(in sqe);
        if (!SecChecks.UnusedAreZero(in p, first && IsKeyed(algorithm, mode) ? ParamFields.Key : ParamFields.None)
            || (algorithm == DigestAlgorithm.AesCmac && first && p.KeyLen is not (16 or 24 or 32)))
        {
            return CompletionStatus.BadRequest;
        }

        return SecDigest.IsSupported(algorithm, mode) ? CompletionStatus.Ok : CompletionStatus.Unsupported;
    }

    /// <summary>The stream a middle or last piece continues (null for a block request or a stream's first piece).</summary>
    private static CompletionStatus FindStream(in Sqe sqe, HardwareQueue queue, out DigestStream? running)
    {
        running = null;
        if (IsFirst(in sqe))
        {
            return CompletionStatus.Ok;
        }

        running = (queue.ModelState as SecQueueState)?.Get(sqe.StreamId);
        return running is null || running.Algorithm != (DigestAlgorithm)sqe.Algorithm || running.Mode != (DigestMode)sqe.Mode
            ? CompletionStatus.BadRequest // no such stream, or it belongs to another algorithm
            : CompletionStatus.Ok;
    }

    /// <summary>The digest a block request or a stream's first piece starts: the engine's cached hash or keyed MAC, or
    /// a new stream context.</summary>
    private static SecDigest Begin(in Sqe sqe, HardwareQueue queue, SecEngineState state, ReadOnlySpan<byte> key)
    {
        var algorithm = (DigestAlgorithm)sqe.Algorithm;
        var mode = (DigestMode)sqe.Mode;
        if ((sqe.Flags & SqeFlags.Stream) != 0)
        {
            var contexts = (SecQueueState)(queue.ModelState ??= new SecQueueState((int)queue.MaxStreams));
            return contexts.Start(sqe.StreamId, algorithm, mode, SecDigest.Create(algorithm, mode, key)).Digest;
        }

        if (!IsKeyed(algorithm, mode))
        {
            return state.Hash(algorithm);
        }

        SecDigest digest = state.Macs.Get(key, ((int)algorithm << 8) | (int)mode, s_mac);
        digest.Restart();
        return digest;
    }

    /// <summary>Feeds the mapped source to <paramref name="digest"/>; on the last piece writes the digest, frees the
    /// stream context and commits the output.</summary>
    private static CompletionStatus Feed(in Sqe sqe, HardwareQueue queue, SecEngineState state, SecDigest digest, int count, int total,
        Span<byte> destination, ref Cqe cqe)
    {
        foreach ((nint pointer, int length) in state.Segments.AsSpan(0, count))
        {
            unsafe
            {
                digest.Append(new ReadOnlySpan<byte>((void*)pointer, length));
            }
        }

        cqe.Consumed = (uint)total;
        if (!IsFinal(in sqe))
        {
            return CompletionStatus.Ok;
        }

        int size = SecDigest.SizeOf((DigestAlgorithm)sqe.Algorithm);
        digest.Finish(destination[..size]);
        if ((sqe.Flags & SqeFlags.Stream) != 0)
        {
            ((SecQueueState)queue.ModelState!).Release(sqe.StreamId);
        }

        if (!state.Memory.CommitOutput((ulong)size))
        {
            cqe.Consumed = 0;
            return CompletionStatus.AddressFault;
        }

        cqe.Produced = (uint)size;
        return CompletionStatus.Ok;
    }

    private static bool Defined(DigestAlgorithm algorithm) =>
        algorithm is >= DigestAlgorithm.Md5 and <= DigestAlgorithm.Sm3 or DigestAlgorithm.AesCmac;
}
