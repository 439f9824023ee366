using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Drivers;

/// <summary>The hardware SGLs of one SQ slot (UADK's <c>hisi_qm_get_hw_sgl</c>): the input's chain of
/// <see cref="HisiSgl"/>s (grown to the longest list seen) and a one-entry output list. With SVA the engine reads them
/// at their virtual addresses. The ZIP and SEC drivers keep one per slot.</summary>
internal unsafe struct HisiSglMemory : IDisposable
{
    private const int SglBytes = HisiSgl.Size + (HisiSgl.MaxEntries * HisiSge.Size);

    private byte* _input;
    private int _inputLists;
    private byte* _output;

    public ulong WriteInput(DataListEntry* entries, int count)
    {
        int lists = Math.Max(1, (count + HisiSgl.MaxEntries - 1) / HisiSgl.MaxEntries);
        if (lists > _inputLists)
        {
            NativeMemory.AlignedFree(_input);
            _input = (byte*)NativeMemory.AlignedAlloc((nuint)(lists * SglBytes), 64);
            _inputLists = lists;
        }

        for (int l = 0; l < lists; l++)
        {
            var sgl = (HisiSgl*)(_input + (l * SglBytes));
            var sge = (HisiSge*)(sgl + 1);
            int first = l * HisiSgl.MaxEntries, n = Math.Min(HisiSgl.MaxEntries, count - first);
            ulong bytes = 0;
            for (int i = 0; i < n; i++)
            {
                DataListEntry e = entries[first + i];
                sge[i] = new HisiSge { Buffer = e.Address, VirtualBuffer = e.Address, Length = e.Length };
                bytes += e.Length;
            }

            ulong next = l + 1 < lists ? (ulong)(_input + ((l + 1) * SglBytes)) : 0;
            *sgl = new HisiSgl
            {
                NextDma = next,
                Next = next,
                EntrySumInChain = (ushort)(l == 0 ? count : 0),
                EntrySumInSgl = (ushort)n,
                EntryLength = HisiSgl.MaxEntries,
                EntrySizeInSgl = bytes,
            };
        }

        return (ulong)_input;
    }

    /// <summary>A one-entry output list: <paramref name="length"/> bytes at <paramref name="address"/>.</summary>
    public ulong WriteOutput(ulong address, uint length) => WriteOutput(0, 0, address, length);

    /// <summary>An output list of <paramref name="headLength"/> bytes at <paramref name="head"/> (none when 0), then
    /// <paramref name="length"/> bytes at <paramref name="address"/>: an AEAD's destination, whose first bytes the
    /// engine keeps for the associated data.</summary>
    public ulong WriteOutput(ulong head, uint headLength, ulong address, uint length)
    {
        if (_output is null)
        {
            _output = (byte*)NativeMemory.AlignedAlloc(HisiSgl.Size + (2 * HisiSge.Size), 64);
        }

        var sgl = (HisiSgl*)_output;
        var sge = (HisiSge*)(sgl + 1);
        int n = 0;
        if (headLength != 0)
        {
            sge[n++] = new HisiSge { Buffer = head, VirtualBuffer = head, Length = headLength };
        }

        sge[n++] = new HisiSge { Buffer = address, VirtualBuffer = address, Length = length };
        *sgl = new HisiSgl
        {
            EntrySumInChain = (ushort)n,
            EntrySumInSgl = (ushort)n,
            EntryLength = (ushort)n,
            EntrySizeInSgl = headLength + (ulong)length,
        };
        return (ulong)_output;
    }

    /// <summary>The bytes a data list of <paramref name="count"/> entries adds up to.</summary>
    public static ulong TotalLength(DataListEntry* entries, int count)
    {
        ulong total = 0;
        for (int i = 0; i < count; i++)
        {
            total += entries[i].Length;
        }

        return total;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_input);
        NativeMemory.AlignedFree(_output);
        _input = _output = null;
        _inputLists = 0;
    }
}
