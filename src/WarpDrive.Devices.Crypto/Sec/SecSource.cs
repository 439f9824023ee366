using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>The input of a SEC request, mapped by <see cref="RequestSource"/>, and made contiguous where a cipher
/// needs one span.</summary>
internal static unsafe class SecSource
{
    /// <summary>Maps the source into <paramref name="state"/>'s segment table (<see cref="RequestSource"/>).</summary>
    public static CompletionStatus Map(SecEngineState state, HardwareQueue queue, in Sqe sqe, out int count, out int total) =>
        RequestSource.Map(state.Memory, queue, in sqe, state.Segments, out count, out total);

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
