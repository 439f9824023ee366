using System.Buffers;
using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Pipeline;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Crypto;

/// <summary>What every SEC and HPRE session shares: a context (queue) on a device that offers the algorithm, the key
/// in device-visible memory (zeroed when the session is disposed or re-keyed), and the request path: the parameter
/// block, IV and small inputs go into the request slot's device-visible scratch, the data buffers are pinned and
/// shared for the request's lifetime, and the SQE names them all.</summary>
public abstract class CryptoSession : IDisposable, IRequestOwner
{
    // Scratch layout of one slot: parameter block, IV, then small inputs copied inline.
    private const int IvOffset = CryptoParams.Size;
    private const int MaxInlineIv = 64;
    private const int InlineOffset = IvOffset + MaxInlineIv;

    private readonly ContextBinding _binding;
    private readonly RequestPipeline _pipeline;
    private readonly SessionBytes _key = new();
    private readonly SessionRequestCount _requests = new();
    private bool _disposed;

    private protected CryptoSession(string algorithm, WdRuntime? runtime, bool stream = false)
    {
        _binding = new ContextBinding((runtime ?? WdRuntime.Default).Scheduler(LibraryOf(algorithm)), algorithm, stream, operation: -1);
        StreamId = _binding.StreamId;
        _pipeline = new RequestPipeline(_binding, this);
    }

    private static AlgorithmLibrary LibraryOf(string algorithm) => algorithm switch
    {
        "cipher" => AlgorithmLibrary.Cipher,
        "digest" => AlgorithmLibrary.Digest,
        "aead" => AlgorithmLibrary.Aead,
        "rsa" => AlgorithmLibrary.Rsa,
        "dh" => AlgorithmLibrary.Dh,
        _ => AlgorithmLibrary.Ecc,
    };

    /// <summary>The operation type of <paramref name="opcode"/> for the scheduler (encrypt 0, decrypt 1, none -1).</summary>
    private static int OperationOf(Opcode opcode) => opcode switch
    {
        Opcode.CipherEncrypt or Opcode.AeadEncrypt => 0,
        Opcode.CipherDecrypt or Opcode.AeadDecrypt => 1,
        _ => -1,
    };

    /// <summary>The device the session's requests go to.</summary>
    public WdDeviceInfo Device => _binding.Device;

    /// <summary>The device stream context this session holds, or -1.</summary>
    private protected int StreamId { get; }

    /// <summary>The stream context of a stream session, else the context a synchronous request would use now.</summary>
    private protected WdContext Context => _binding.StreamContext ?? _binding.Pick(false, -1, int.MaxValue, out _);

    /// <summary>Error completions of the library's queues on the session's device (tests: parameter errors must be
    /// caught before anything is queued).</summary>
    internal uint QueueErrors
    {
        get
        {
            WdDeviceInfo device = Device;
            uint errors = 0;
            foreach (WdContext context in _binding.Scheduler.Contexts)
            {
                if (context.Queue.Device.Name == device.Name && context.Queue.Device.Location == device.Location)
                {
                    errors += context.Queue.ErrorCount;
                }
            }

            return errors;
        }
    }

    /// <summary>Requests counted in and not yet out (tests).</summary>
    internal int RequestsInFlight => _requests.InFlight;

    /// <summary>The device-visible copy of the key (tests).</summary>
    internal ReadOnlySpan<byte> KeyMemory => _key.FirstCopy;

    /// <summary>Completes finished asynchronous requests of the session's library without blocking (UADK's
    /// wd_cipher_poll and friends); needed only when the library runs without polling threads
    /// (<c>WD_&lt;ALG&gt;_ASYNC_POLL_EN=0</c>).</summary>
    /// <returns>How many requests completed.</returns>
    public int Poll(int max = int.MaxValue) => _pipeline.Poll(max);

    /// <summary>Copies <paramref name="key"/> into device-visible memory the session owns; the previous key's bytes
    /// are zeroed. Requests in flight read the key when they run, so this waits for them to complete.</summary>
    private protected void SetKey(ReadOnlySpan<byte> key)
    {
        ThrowIfDisposed();
        _requests.Wait(_binding);
        _binding.Pick(false, -1, int.MaxValue, out DevicePool pool);
        _key.Set(key, pool);
    }

    /// <summary>Runs one request and waits for it; returns its completion.</summary>
    private protected unsafe Cqe Run(in CryptoOperation op, ReadOnlySpan<byte> source, Span<byte> destination,
        ReadOnlySpan<byte> iv = default, ReadOnlySpan<byte> aad = default, ReadOnlySpan<byte> aux = default)
    {
        EnterRequest();
        fixed (byte* src = source)
        fixed (byte* dst = destination)
        fixed (byte* aadPointer = aad)
        fixed (byte* auxPointer = aux)
        {
            var request = new PinnedRequest(this, op, (nint)src, source.Length, (nint)dst, destination.Length, iv, aad, (nint)aadPointer, aux,
                (nint)auxPointer);
            return _pipeline.Run(OperationOf(op.Opcode), source.Length, last: true, ref request);
        }
    }

    /// <summary>Runs one request whose source is a data list: each segment of <paramref name="source"/> becomes one
    /// entry of a scatter-gather table the device reads directly.</summary>
    private protected unsafe Cqe Run(in CryptoOperation op, ReadOnlySequence<byte> source, Span<byte> destination, ReadOnlySpan<byte> iv = default)
    {
        EnterRequest();
        fixed (byte* dst = destination)
        {
            var request = new DataListRequest(this, op, source, (nint)dst, destination.Length, iv);
            return _pipeline.Run(OperationOf(op.Opcode), source.Length > int.MaxValue ? int.MaxValue : (int)source.Length, last: true, ref request);
        }
    }

    /// <summary>Submits one request and returns at once; <paramref name="mapper"/> turns its completion into the
    /// result. The buffers stay pinned until the device completes it. Cancellation applies only before submission.</summary>
    private protected ValueTask<int> RunAsync(CryptoOperation op, ReadOnlyMemory<byte> source, Memory<byte> destination,
        ReadOnlyMemory<byte> iv, ReadOnlyMemory<byte> aad, ReadOnlyMemory<byte> aux, CompletionMapper mapper, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        EnterRequest();
        return _pipeline.RunAsync<Request, int>(OperationOf(op.Opcode), source.Length, last: true, new Request(this, op, source, destination, iv, aad, aux),
            mapper, cancellationToken);
    }

    private static readonly SlotCallback s_invokeCallback =
        static (in Cqe cqe, object callback, object? state) => ((CryptoCallback)callback)(CryptoResult.From(cqe), state);

    /// <summary>Submits one request whose result goes to <paramref name="callback"/>; false (BUSY, nothing submitted)
    /// when every slot of the chosen context is in flight. Every request accepted completes exactly once.</summary>
    private protected bool TrySubmit(in CryptoOperation op, ReadOnlyMemory<byte> source, Memory<byte> destination, ReadOnlyMemory<byte> iv,
        ReadOnlyMemory<byte> aad, CryptoCallback callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EnterRequest();
        return _pipeline.TrySubmit(OperationOf(op.Opcode), source.Length, last: true, new Request(this, op, source, destination, iv, aad, default),
            s_invokeCallback, callback, state);
    }

    /// <summary>As <see cref="RunAsync"/> for a verification: true when the completion is OK, false for AUTH_FAILED.</summary>
    private protected ValueTask<bool> VerifyAsync(CryptoOperation op, ReadOnlyMemory<byte> source, ReadOnlyMemory<byte> aad,
        ReadOnlyMemory<byte> signature, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        EnterRequest();
        return _pipeline.RunAsync<Request, bool>(OperationOf(op.Opcode), source.Length, last: true,
            new Request(this, op, source, default, default, aad, signature), CryptoStatus.Verified, cancellationToken);
    }

    /// <summary>One synchronous request over buffers its caller holds <c>fixed</c>; the IV and small inputs are copied
    /// into the slot's scratch, larger ones shared where they are.</summary>
    private readonly ref struct PinnedRequest(CryptoSession session, CryptoOperation op, nint source, int sourceLength, nint destination,
        int destinationLength, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, nint aadPointer, ReadOnlySpan<byte> aux, nint auxPointer)
        : IRequestBuilder
    {
        private readonly ReadOnlySpan<byte> _iv = iv, _aad = aad, _aux = aux;

        public Sqe Build(RequestSlot slot, DevicePool pool)
        {
            nint parameters = session.WriteParameters(slot, pool, in op, _iv, _aad, aadPointer, _aux, auxPointer);
            slot.Share(source, sourceLength);
            slot.Share(destination, destinationLength);
            return BuildSqe(slot.Tag, in op, (ulong)source, (uint)sourceLength, (ulong)destination, (uint)destinationLength, parameters);
        }
    }

    /// <summary>One synchronous request whose source is a data list.</summary>
    private readonly ref struct DataListRequest(CryptoSession session, CryptoOperation op, ReadOnlySequence<byte> source, nint destination,
        int destinationLength, ReadOnlySpan<byte> iv) : IRequestBuilder
    {
        private readonly ReadOnlySpan<byte> _iv = iv;

        public Sqe Build(RequestSlot slot, DevicePool pool)
        {
            nint table = slot.ShareDataList(source, out int count);
            slot.Share(destination, destinationLength);
            nint parameters = session.WriteParameters(slot, pool, in op, _iv, default, 0, default, 0);
            CryptoOperation listOp = op with { Flags = op.Flags | SqeFlags.SrcDataList };
            return BuildSqe(slot.Tag, in listOp, (ulong)table, (uint)count, (ulong)destination, (uint)destinationLength, parameters);
        }
    }

    /// <summary>One asynchronous request of the session: the parameter block (with the IV and small inputs) in the
    /// slot's scratch, larger inputs and the data buffers pinned and shared, and the SQE naming them all.</summary>
    private readonly struct Request(CryptoSession session, CryptoOperation op, ReadOnlyMemory<byte> source, Memory<byte> destination,
        ReadOnlyMemory<byte> iv, ReadOnlyMemory<byte> aad, ReadOnlyMemory<byte> aux) : IRequestBuilder
    {
        public Sqe Build(RequestSlot slot, DevicePool pool)
        {
            // Inputs too large to copy into the scratch are pinned here and shared by WriteParameters.
            bool inline = FitsInline(aad.Length, aux.Length);
            nint aadPointer = inline ? 0 : slot.Pin(aad);
            nint auxPointer = inline ? 0 : slot.Pin(aux);
            nint parameters = session.WriteParameters(slot, pool, in op, iv.Span, aad.Span, aadPointer, aux.Span, auxPointer);
            nint src = slot.PinAndShare(source);
            nint dst = slot.PinAndShare(destination);
            return BuildSqe(slot.Tag, in op, (ulong)src, (uint)source.Length, (ulong)dst, (uint)destination.Length, parameters);
        }
    }

    /// <summary>Counts a request in before it reads the key: a <see cref="Dispose()"/> that runs meanwhile either sees
    /// it and waits, or has already marked the session disposed, which this sees.</summary>
    private void EnterRequest()
    {
        if (!_requests.TryEnter())
        {
            ThrowHelper.ObjectDisposed(this);
        }
    }

    void IRequestObserver.OnCompleted(in Cqe cqe, bool last) => _requests.Exit();

    void IRequestOwner.OnAbandoned() => _requests.Exit();

    private static bool FitsInline(int aadLength, int auxLength) => aadLength + auxLength <= RequestSlot.ScratchSize - InlineOffset;

    /// <summary>Lays out the parameter block (and IV, and small inputs) in the slot's scratch; returns its address.
    /// Inputs too large to copy inline must be pinned by the caller (<paramref name="aadPointer"/>,
    /// <paramref name="auxPointer"/>) and are shared here.</summary>
    private nint WriteParameters(RequestSlot slot, DevicePool pool, in CryptoOperation op, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> aad, nint aadPointer,
        ReadOnlySpan<byte> aux, nint auxPointer)
    {
        if (iv.Length > MaxInlineIv)
        {
            throw new ArgumentException($"an IV or nonce is at most {MaxInlineIv} bytes", nameof(iv));
        }

        Span<byte> scratch = slot.Scratch(out nint address);
        ref CryptoParams p = ref MemoryMarshal.AsRef<CryptoParams>(scratch);
        p = default;
        if (op.UsesKey && _key.IsSet)
        {
            p.Key = (ulong)_key.Address(pool);
            p.KeyLen = (uint)_key.Length;
        }

        if (!iv.IsEmpty)
        {
            iv.CopyTo(scratch[IvOffset..]);
            p.Iv = (ulong)(address + IvOffset);
            p.IvLen = (uint)iv.Length;
        }

        p.TagLen = op.TagLength;
        bool inline = FitsInline(aad.Length, aux.Length);
        int offset = InlineOffset;
        p.Aad = Place(slot, aad, aadPointer, inline, scratch, address, ref offset);
        p.AadLen = (uint)aad.Length;
        p.Aux = Place(slot, aux, auxPointer, inline, scratch, address, ref offset);
        p.AuxLen = (uint)aux.Length;
        return address;
    }

    private static ulong Place(RequestSlot slot, ReadOnlySpan<byte> field, nint pointer, bool inline, Span<byte> scratch, nint address, ref int offset)
    {
        if (field.IsEmpty)
        {
            return 0;
        }

        if (inline)
        {
            field.CopyTo(scratch[offset..]);
            ulong at = (ulong)(address + offset);
            offset += field.Length;
            return at;
        }

        slot.Share(pointer, field.Length);
        return (ulong)pointer;
    }

    private static Sqe BuildSqe(ulong tag, in CryptoOperation op, ulong src, uint srcLen, ulong dst, uint dstLen, nint parameters) => new()
    {
        UserData = tag,
        Opcode = op.Opcode,
        Algorithm = op.Algorithm,
        Flags = op.Flags,
        Mode = op.Mode,
        Hash = (byte)op.Hash,
        Arg = op.Arg,
        StreamId = op.StreamId,
        Src = src,
        SrcLen = srcLen,
        Dst = dst,
        DstLen = dstLen,
        Params = op.HasParams ? (ulong)parameters : 0,
    };

    private protected void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ObjectDisposed(this);
        }
    }

    /// <summary>Frees the session: waits for its requests in flight to complete (while the queue is served), then
    /// zeroes and frees its key.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the session's device resources (stream context, key memory).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed)
        {
            return;
        }

        Volatile.Write(ref _disposed, true);
        _requests.CloseAndWait(_binding); // until then the device may still read the key
        _key.Clear();
    }
}
