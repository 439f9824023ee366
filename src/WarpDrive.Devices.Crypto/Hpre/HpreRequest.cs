using Org.BouncyCastle.Security;
using WarpDrive.Abi;
using WarpDrive.Devices.Crypto;

namespace WarpDrive.Devices.Hpre;

/// <summary>One HPRE request while it runs: the copied SQE and parameter block, and the memory, queue and engine it
/// runs on. Every field it maps is checked through the queue's domain.</summary>
internal readonly ref struct HpreRequest
{
    private readonly RequestMemory _memory;
    private readonly HardwareQueue _queue;
    private readonly HpreEngineState _engine;

    public HpreRequest(in Sqe sqe, in CryptoParams parameters, HardwareQueue queue, HpreEngineState engine)
    {
        Sqe = sqe;
        Params = parameters;
        _queue = queue;
        _engine = engine;
        _memory = engine.Memory;
    }

    public Sqe Sqe { get; }

    public CryptoParams Params { get; }

    public SecureRandom Random => _engine.Random;

    /// <summary>The queue's key cache.</summary>
    public KeyCache Keys => ((HpreQueueState)(_queue.ModelState ??= new HpreQueueState())).Keys;

    public bool KeyUnused => Params.Key == 0 && Params.KeyLen == 0;

    public bool AuxUnused => Params.Aux == 0 && Params.AuxLen == 0;

    public bool AadUnused => Params.Aad == 0 && Params.AadLen == 0;

    public bool SrcUnused => Sqe.Src == 0 && Sqe.SrcLen == 0;

    public bool DstUnused => Sqe.Dst == 0 && Sqe.DstLen == 0;

    /// <summary>The key, copied once into the engine (see <see cref="HpreEngineState.Key"/>).</summary>
    public CompletionStatus MapKey(out ReadOnlySpan<byte> key) =>
        CopyOnce(CryptoRequest.MapSecret(_memory, _queue, Params.Key, Params.KeyLen, HpreEngineState.MaxFieldLength, out ReadOnlySpan<byte> field),
            field, _engine.Key, out key);

    /// <summary>A source of at most <see cref="HpreEngineState.MaxFieldLength"/> bytes (an RSA input), copied once into
    /// the engine.</summary>
    public CompletionStatus MapSourceCopy(out ReadOnlySpan<byte> source) =>
        CopyOnce(CryptoRequest.MapField(_memory, _queue, Sqe.Src, Sqe.SrcLen, HpreEngineState.MaxFieldLength, out ReadOnlySpan<byte> field),
            field, _engine.Source, out source);

    /// <summary>The auxiliary input, copied once into the engine.</summary>
    public CompletionStatus MapAux(out ReadOnlySpan<byte> aux) =>
        CopyOnce(CryptoRequest.MapField(_memory, _queue, Params.Aux, Params.AuxLen, HpreEngineState.MaxFieldLength, out ReadOnlySpan<byte> field),
            field, _engine.Aux, out aux);

    private static CompletionStatus CopyOnce(CompletionStatus status, ReadOnlySpan<byte> field, byte[] copy, out ReadOnlySpan<byte> result)
    {
        result = default;
        if (status == CompletionStatus.Ok)
        {
            field.CopyTo(copy);
            result = copy.AsSpan(0, field.Length);
        }

        return status;
    }

    public CompletionStatus MapAad(out ReadOnlySpan<byte> aad) =>
        CryptoRequest.MapField(_memory, _queue, Params.Aad, Params.AadLen, CryptoParams.MaxFieldLength, out aad);

    public CompletionStatus MapSource(out ReadOnlySpan<byte> source) =>
        CryptoRequest.MapField(_memory, _queue, Sqe.Src, Sqe.SrcLen, int.MaxValue, out source);

    /// <summary>Maps the destination, which must hold at least <paramref name="needed"/> bytes (else OUT_OF_SPACE).</summary>
    public CompletionStatus MapDestination(int needed, out Span<byte> destination)
    {
        destination = default;
        if (Sqe.DstLen < (uint)needed)
        {
            return CompletionStatus.OutOfSpace;
        }

        if (needed == 0)
        {
            return CompletionStatus.Ok; // nothing to write (an empty decrypted message): any destination will do
        }

        if (Sqe.DstLen > int.MaxValue)
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = _memory.MapOutput(_queue, Sqe.Dst, Sqe.DstLen, out nint pointer, out ulong usable);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (usable < (ulong)needed)
        {
            return CompletionStatus.OutOfSpace; // a remote client's output beyond the device's limit
        }

        unsafe
        {
            destination = new Span<byte>((void*)pointer, (int)usable);
        }

        return CompletionStatus.Ok;
    }
}
