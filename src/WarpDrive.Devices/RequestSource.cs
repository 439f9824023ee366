using WarpDrive.Abi;

namespace WarpDrive.Devices;

/// <summary>The source of a request as every device model reads it (the one data-list walker): <c>Src</c>/<c>SrcLen</c>,
/// or with <see cref="SqeFlags.SrcDataList"/> a table of <c>SrcLen</c> <see cref="DataListEntry"/> entries, the table
/// and every entry checked through the queue's domain and each entry copied once (the client may rewrite the table
/// meanwhile). One set of rules: at most <see cref="DataListEntry.MaxEntries"/> entries, reserved fields zero, at most
/// <see cref="int.MaxValue"/> bytes in all; an empty list is no input (no segments); a zero-length entry maps to
/// nothing.</summary>
internal static unsafe class RequestSource
{
    /// <summary>Maps the source into <paramref name="segments"/> (room for <see cref="DataListEntry.MaxEntries"/>).</summary>
    /// <returns>OK, BAD_REQUEST (too many entries, a non-zero reserved field, too long) or ADDRESS_FAULT.</returns>
    public static CompletionStatus Map(RequestMemory memory, HardwareQueue queue, in Sqe sqe, Span<(nint Pointer, int Length)> segments,
        out int count, out int total)
    {
        count = 0;
        total = 0;
        if ((sqe.Flags & SqeFlags.SrcDataList) == 0)
        {
            if (sqe.SrcLen > int.MaxValue)
            {
                return CompletionStatus.BadRequest;
            }

            CompletionStatus status = MapPiece(memory, queue, sqe.Src, sqe.SrcLen, out segments[0]);
            if (status != CompletionStatus.Ok)
            {
                return status;
            }

            count = 1;
            total = (int)sqe.SrcLen;
            return CompletionStatus.Ok;
        }

        if (sqe.SrcLen > DataListEntry.MaxEntries)
        {
            return CompletionStatus.BadRequest;
        }

        int entries = (int)sqe.SrcLen;
        if (entries == 0)
        {
            return CompletionStatus.Ok;
        }

        CompletionStatus tableStatus = memory.MapInput(queue, sqe.Src, (ulong)entries * DataListEntry.Size, out nint table);
        if (tableStatus != CompletionStatus.Ok)
        {
            return tableStatus;
        }

        long sum = 0;
        for (int i = 0; i < entries; i++)
        {
            DataListEntry entry = ((DataListEntry*)table)[i]; // one copy: the client may rewrite the table meanwhile
            sum += entry.Length;
            if (entry.Reserved != 0 || sum > int.MaxValue)
            {
                return CompletionStatus.BadRequest;
            }

            CompletionStatus status = MapPiece(memory, queue, entry.Address, entry.Length, out segments[i]);
            if (status != CompletionStatus.Ok)
            {
                return status;
            }
        }

        count = entries;
        total = (int)sum;
        return CompletionStatus.Ok;
    }


    /// <summary>Maps one piece of the source (nothing for an empty one).</summary>
    private static CompletionStatus MapPiece(RequestMemory memory, HardwareQueue queue, ulong address, uint length, out (nint Pointer, int Length) segment)
    {
        segment = (0, (int)length);
        return length == 0 ? CompletionStatus.Ok : memory.MapInput(queue, address, length, out segment.Pointer);
    }
}
