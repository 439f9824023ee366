using WarpDrive.Abi.Uacce;

namespace WarpDrive.TestSupport.HisiQm;

/// <summary>How a hisi_qm engine reads a chain of hardware SGLs (<see cref="HisiSgl"/>, <see cref="HisiSge"/>): the
/// segments of <c>want</c> bytes after <c>skip</c>, following <c>next_dma</c>. False for a chain the engine refuses (an
/// entry count over the list's room, a null buffer, a chain so long it is taken for a loop, or, with <c>exact</c>,
/// fewer bytes than wanted).</summary>
internal static unsafe class HisiSglReader
{
    private const int MaxSglLists = 1 << 16; // a longer chain is taken for a loop

    /// <summary>Adds to <paramref name="into"/> the buffers of the chain at <paramref name="address"/> after
    /// <paramref name="skip"/> bytes, at most <paramref name="want"/> bytes (exactly, when <paramref name="exact"/>);
    /// false for a chain the model cannot walk.</summary>
    public static bool Gather(ulong address, uint skip, uint want, bool exact, List<(nint Pointer, int Length)> into)
    {
        long toSkip = skip;
        long limit = Math.Min(want, int.MaxValue);
        long taken = 0;
        int lists = 0;
        for (var sgl = (HisiSgl*)address; sgl != null && taken < limit; sgl = (HisiSgl*)sgl->NextDma)
        {
            if (++lists > MaxSglLists || sgl->EntrySumInSgl > sgl->EntryLength)
            {
                return false;
            }

            var entries = (HisiSge*)((byte*)sgl + HisiSgl.Size);
            for (int i = 0; i < sgl->EntrySumInSgl && taken < limit; i++)
            {
                long length = entries[i].Length;
                if (length == 0)
                {
                    continue;
                }

                if (entries[i].Buffer == 0)
                {
                    return false;
                }

                if (toSkip >= length)
                {
                    toSkip -= length;
                    continue;
                }

                long n = Math.Min(length - toSkip, limit - taken);
                into.Add(((nint)(entries[i].Buffer + (ulong)toSkip), (int)n));
                toSkip = 0;
                taken += n;
            }
        }

        return !exact || taken == limit;
    }
}
