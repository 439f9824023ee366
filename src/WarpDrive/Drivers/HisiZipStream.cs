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

    // ctx_dw0-ctx_dw2, checksum and isize of the last completion: what the engine needs back in the next SQE.
    private uint _contextDw0, _contextDw1, _contextDw2, _checksum, _isize;

    /// <summary>Writes the stream's context address and what the last completion handed back into
    /// <paramref name="sqe"/>.</summary>
    public void CarryInto(ref HisiZipSqe sqe)
    {
        sqe.StreamContextAddress = ContextAddress;
        sqe.ContextDw0 = _contextDw0;
        sqe.ContextDw1 = _contextDw1;
        sqe.ContextDw2 = _contextDw2;
        sqe.Checksum = _checksum;
        sqe.Isize = _isize;
    }

    /// <summary>Keeps what the engine handed back in a completed <paramref name="sqe"/> for the next request.</summary>
    public void CarryFrom(in HisiZipSqe sqe)
    {
        _contextDw0 = sqe.ContextDw0;
        _contextDw1 = sqe.ContextDw1;
        _contextDw2 = sqe.ContextDw2;
        _checksum = sqe.Checksum;
        _isize = sqe.Isize;
    }

    /// <summary>Starts a new stream.</summary>
    public void Reset(CompAlgorithm algorithm)
    {
        Header.Reset(algorithm);
        HeaderWritten = false;
        EngineStarted = false;
        Ended = false;
        _contextDw0 = _contextDw1 = _contextDw2 = _checksum = _isize = 0;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_context);
        _context = null;
    }
}
