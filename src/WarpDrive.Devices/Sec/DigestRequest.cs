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
        var algorithm = (DigestAlgorithm)sqe.Algorithm;
        var mode = (DigestMode)sqe.Mode;
        bool stream = (sqe.Flags & SqeFlags.Stream) != 0;
        bool first = !stream || (sqe.Flags & SqeFlags.NewStream) != 0;
        bool final = !stream || (sqe.Flags & SqeFlags.Last) != 0;
        if (sqe.Hash != 0 || sqe.Arg != 0 || (sqe.Flags & SqeFlags.Flush) != 0
            || !Defined(algorithm) || mode is not (DigestMode.Hash or DigestMode.Hmac)
            || (algorithm == DigestAlgorithm.AesCmac && mode != DigestMode.Hash)
            || (stream ? sqe.StreamId >= queue.MaxStreams : (sqe.StreamId != 0 || (sqe.Flags & (SqeFlags.NewStream | SqeFlags.Last)) != 0)))
        {
            return CompletionStatus.BadRequest;
        }

        RequestMemory memory = state.Memory;
        CompletionStatus status = CryptoRequest.ReadParams(memory, queue, in sqe, out CryptoParams p);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        // The key comes with the first piece only: HMAC any length, CMAC an AES key, a plain hash none.
        bool keyed = first && (mode == DigestMode.Hmac || algorithm == DigestAlgorithm.AesCmac);
        if (!SecChecks.UnusedAreZero(in p, keyed ? ParamFields.Key : ParamFields.None)
            || (algorithm == DigestAlgorithm.AesCmac && first && p.KeyLen is not (16 or 24 or 32)))
        {
            return CompletionStatus.BadRequest;
        }

        if (!SecDigest.IsSupported(algorithm, mode))
        {
            return CompletionStatus.Unsupported;
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

        SecQueueState? contexts = queue.ModelState as SecQueueState;
        DigestStream? running = null;
        if (stream && !first)
        {
            running = contexts?.Get(sqe.StreamId);
            if (running is null || running.Algorithm != algorithm || running.Mode != mode)
            {
                return CompletionStatus.BadRequest; // no such stream, or it belongs to another algorithm
            }
        }

        int size = SecDigest.SizeOf(algorithm);
        scoped Span<byte> destination = default;
        if (final)
        {
            if (sqe.DstLen < size)
            {
                return CompletionStatus.OutOfSpace; // nothing consumed: a stream stays as it was
            }

            status = CryptoRequest.MapDestination(memory, queue, in sqe, out destination);
            if (status != CompletionStatus.Ok)
            {
                return status;
            }
        }

        SecDigest digest;
        if (!stream)
        {
            if (keyed)
            {
                digest = state.Macs.Get(key, ((int)algorithm << 8) | (int)mode, s_mac);
                digest.Restart();
            }
            else
            {
                digest = state.Hash(algorithm);
            }
        }
        else if (first)
        {
            contexts ??= (SecQueueState)(queue.ModelState ??= new SecQueueState((int)queue.MaxStreams));
            digest = contexts.Start(sqe.StreamId, algorithm, mode, SecDigest.Create(algorithm, mode, key)).Digest;
        }
        else
        {
            digest = running!.Digest;
        }

        foreach ((nint pointer, int length) in state.Segments.AsSpan(0, count))
        {
            unsafe
            {
                digest.Append(new ReadOnlySpan<byte>((void*)pointer, length));
            }
        }

        cqe.Consumed = (uint)total;
        if (!final)
        {
            return CompletionStatus.Ok;
        }

        digest.Finish(destination[..size]);
        if (stream)
        {
            contexts!.Release(sqe.StreamId);
        }

        if (!memory.CommitOutput((ulong)size))
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
