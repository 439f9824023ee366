using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Drivers;

/// <summary>What the driver keeps for one stream of a HiSilicon ZIP queue between its requests (UADK keeps the same in
/// its message and <c>ctx_buf</c>): the 64 KiB context the engine keeps its history in, the context words, running
/// checksum and size the engine hands back, and the header's progress.</summary>
internal sealed unsafe class HisiZipStream : IDisposable
{
    private void* _context;

    /// <summary>The engine's 64 KiB stream context (made on first use, kept for the next stream).</summary>
    public ulong ContextAddress
    {
        get
        {
            if (_context is null)
            {
                _context = NativeMemory.AlignedAlloc(HisiZipSqe.StreamContextSize, 4096);
                NativeMemory.Clear(_context, HisiZipSqe.StreamContextSize);
            }

            return (ulong)_context;
        }
    }

    /// <summary>The header read so far (decompression) or whether it was written (compression: <c>Done</c>).</summary>
    public HisiZipHeaderReader Header;

    /// <summary>Whether the compression header has been written.</summary>
    public bool HeaderWritten;

    /// <summary>Whether the engine has had a request of this stream (the next one is not new).</summary>
    public bool EngineStarted;

    /// <summary>Whether decompression reached the end of the data.</summary>
    public bool Ended;

    /// <summary><c>ctx_dw0</c>-<c>ctx_dw2</c>, <c>checksum</c> and <c>isize</c> of the last completion.</summary>
    public uint ContextDw0, ContextDw1, ContextDw2, Checksum, Isize;

    /// <summary>Starts a new stream.</summary>
    public void Reset(CompAlgorithm algorithm)
    {
        Header.Reset(algorithm);
        HeaderWritten = false;
        EngineStarted = false;
        Ended = false;
        ContextDw0 = ContextDw1 = ContextDw2 = Checksum = Isize = 0;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_context);
        _context = null;
    }
}
