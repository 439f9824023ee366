using System.Buffers;

namespace WarpDrive.Tests;

/// <summary>Multi-segment sequences for data-list tests.</summary>
internal static class TestSequences
{
    /// <summary>A sequence whose segments are <paramref name="arrays"/>.</summary>
    public static ReadOnlySequence<byte> Of(IReadOnlyList<byte[]> arrays)
    {
        var first = new Segment(arrays[0], 0);
        Segment last = first;
        foreach (byte[] a in arrays.Skip(1))
        {
            last = last.Append(a);
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    /// <summary><paramref name="data"/> cut into <paramref name="parts"/> separate arrays of uneven lengths.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, int parts)
    {
        var arrays = new List<byte[]>();
        int offset = 0;
        for (int i = 0; i < parts; i++)
        {
            int length = i == parts - 1 ? data.Length - offset : (data.Length / parts) + (i % 2 == 0 ? 7 : -7);
            arrays.Add(data.AsSpan(offset, length).ToArray());
            offset += length;
        }

        return Of(arrays);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data, long running)
        {
            Memory = data;
            RunningIndex = running;
        }

        public Segment Append(byte[] data)
        {
            var next = new Segment(data, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
