using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>The input of a SEC request: <c>Src</c>/<c>SrcLen</c>, or with <see cref="SqeFlags.SrcDataList"/> a table
/// of <see cref="DataListEntry"/> (the table and every entry checked through the queue's domain, each entry copied
/// once), as the ZIP device reads it. At most <see cref="int.MaxValue"/> bytes in all.</summary>
internal static unsafe class SecSource
{
    /// <summary>Maps the source into <paramref name="state"/>'s segment table.</summary>
    /// <returns>OK, BAD_REQUEST (too many entries, a non-zero reserved field, too long) or ADDRESS_FAULT.</returns>
    public static CompletionStatus Map(SecEngineState state, HardwareQueue queue, in Sqe sqe, out int count, out int total)
    {
        RequestMemory memory = state.Memory;
        Span<(nint Pointer, int Length)> segments = state.Segments;
        count = 0;
        total = 0;
        if ((sqe.Flags & SqeFlags.SrcDataList) == 0)
        {
            if (sqe.SrcLen > int.MaxValue)
            {
                return CompletionStatus.BadRequest;
            }

            nint pointer = 0;
            if (sqe.SrcLen != 0)
            {
                CompletionStatus status = memory.MapInput(queue, sqe.Src, sqe.SrcLen, out pointer);
                if (status != CompletionStatus.Ok)
                {
                    return status;
                }
            }

            segments[0] = (pointer, (int)sqe.SrcLen);
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

            nint pointer = 0;
            if (entry.Length != 0)
            {
                CompletionStatus status = state.Memory.MapInput(queue, entry.Address, entry.Length, out pointer);
                if (status != CompletionStatus.Ok)
                {
                    return status;
                }
            }

            segments[i] = (pointer, (int)entry.Length);
        }

        count = entries;
        total = (int)sum;
        return CompletionStatus.Ok;
    }

    /// <summary>The mapped source as one span that does not overlap <paramref name="destination"/>: in place when it
    /// is one buffer apart from the destination, else copied into the engine's staging buffer
    /// (<see cref="SecEngineState.ClearStaging"/> afterwards, when <paramref name="staged"/>).</summary>
    public static ReadOnlySpan<byte> Contiguous(SecEngineState state, int count, int total, ReadOnlySpan<byte> destination, out bool staged)
    {
        ReadOnlySpan<(nint Pointer, int Length)> segments = state.Segments.AsSpan(0, count);
        if (count == 1)
        {
            var single = new ReadOnlySpan<byte>((void*)segments[0].Pointer, segments[0].Length);
            if (!single.Overlaps(destination))
            {
                staged = false;
                return single;
            }
        }

        Span<byte> copy = state.Staging(total);
        int offset = 0;
        foreach ((nint pointer, int length) in segments)
        {
            new ReadOnlySpan<byte>((void*)pointer, length).CopyTo(copy[offset..]);
            offset += length;
        }

        staged = true;
        return copy;
    }
}
