using WarpDrive.Abi;

namespace WarpDrive.Devices.Crypto;

/// <summary>Reads what a SEC or HPRE request names: its <see cref="CryptoParams"/> block (copied once: the client may
/// rewrite it mid-request) and the fields the block points at, each checked through the queue's domain like the
/// SQE's own addresses (<see cref="RequestMemory"/>).</summary>
internal static unsafe class CryptoRequest
{
    /// <summary>Copies the request's parameter block. A request without one (<c>Params</c> = 0) gets zeros.</summary>
    /// <returns>OK, ADDRESS_FAULT, or BAD_REQUEST (non-zero reserved fields).</returns>
    public static CompletionStatus ReadParams(RequestMemory memory, HardwareQueue queue, in Sqe sqe, out CryptoParams parameters)
    {
        parameters = default;
        if (sqe.Params == 0)
        {
            return CompletionStatus.Ok;
        }

        CompletionStatus status = memory.MapInput(queue, sqe.Params, CryptoParams.Size, out nint block);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        parameters = *(CryptoParams*)block; // one copy: what we check is what we use
        return parameters.Reserved0 != 0 || parameters.Reserved1 != 0 ? CompletionStatus.BadRequest : CompletionStatus.Ok;
    }

    /// <summary>Maps <paramref name="length"/> readable bytes at <paramref name="address"/>. An empty field may have
    /// address 0; a field longer than <paramref name="maxLength"/> is a BAD_REQUEST.</summary>
    public static CompletionStatus MapField(RequestMemory memory, HardwareQueue queue, ulong address, uint length, int maxLength,
        out ReadOnlySpan<byte> field)
    {
        field = default;
        if (length > (uint)maxLength)
        {
            return CompletionStatus.BadRequest;
        }

        if (length == 0)
        {
            return CompletionStatus.Ok;
        }

        CompletionStatus status = memory.MapInput(queue, address, length, out nint pointer);
        if (status == CompletionStatus.Ok)
        {
            field = new ReadOnlySpan<byte>((void*)pointer, (int)length);
        }

        return status;
    }

    /// <summary>As <see cref="MapField"/> for key material: a staged copy is zeroed when the request is done
    /// (<see cref="RequestMemory.ScrubSecrets"/>).</summary>
    public static CompletionStatus MapSecret(RequestMemory memory, HardwareQueue queue, ulong address, uint length, int maxLength,
        out ReadOnlySpan<byte> field)
    {
        CompletionStatus status = MapField(memory, queue, address, length, maxLength, out field);
        if (status == CompletionStatus.Ok && !field.IsEmpty)
        {
            fixed (byte* pointer = field)
            {
                memory.MarkSecret((nint)pointer, field.Length);
            }
        }

        return status;
    }

    /// <summary>Maps the request's source (<c>Src</c>, <c>SrcLen</c>) when it is a single buffer.</summary>
    public static CompletionStatus MapSource(RequestMemory memory, HardwareQueue queue, in Sqe sqe, int maxLength, out ReadOnlySpan<byte> source) =>
        MapField(memory, queue, sqe.Src, sqe.SrcLen, maxLength, out source);

    /// <summary>Maps exactly <paramref name="needed"/> bytes of the request's destination: OUT_OF_SPACE when
    /// <c>DstLen</c> is shorter, BAD_REQUEST when they lie beyond the device's per-request limit;
    /// <see cref="RequestMemory.CommitOutput"/> must follow a success.</summary>
    public static CompletionStatus MapDestination(RequestMemory memory, HardwareQueue queue, in Sqe sqe, long needed, out Span<byte> destination)
    {
        destination = default;
        if (sqe.DstLen < needed)
        {
            return CompletionStatus.OutOfSpace;
        }

        CompletionStatus status = MapDestination(memory, queue, in sqe, out destination);
        if (status != CompletionStatus.Ok)
        {
            return status;
        }

        if (destination.Length < needed)
        {
            return CompletionStatus.BadRequest; // beyond the device's per-request limit
        }

        destination = destination[..(int)needed];
        return CompletionStatus.Ok;
    }

    /// <summary>Maps the request's destination (<c>Dst</c>, <c>DstLen</c>); <see cref="RequestMemory.CommitOutput"/>
    /// must follow a success.</summary>
    public static CompletionStatus MapDestination(RequestMemory memory, HardwareQueue queue, in Sqe sqe, out Span<byte> destination)
    {
        destination = default;
        if (sqe.DstLen == 0)
        {
            return CompletionStatus.Ok;
        }

        if (sqe.DstLen > int.MaxValue)
        {
            return CompletionStatus.BadRequest;
        }

        CompletionStatus status = memory.MapOutput(queue, sqe.Dst, sqe.DstLen, out nint pointer, out ulong usable);
        if (status == CompletionStatus.Ok)
        {
            destination = new Span<byte>((void*)pointer, (int)usable);
        }

        return status;
    }
}
