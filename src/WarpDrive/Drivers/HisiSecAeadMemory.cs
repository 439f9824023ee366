using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace WarpDrive.Drivers;

/// <summary>What an AEAD BD of one SEC SQ slot names besides the client's buffers: GCM's IV as a 16-byte block, CCM's
/// two 16-byte blocks (the
/// counter block the cipher starts from, <c>c_ivin</c>, and B0, the first block of the CBC-MAC, <c>a_ivin</c>, as UADK's
/// <c>set_aead_auth_iv</c> forms them) and the room the engine keeps at the head of the destination for the associated
/// data (<c>cipher_src_offset</c> bytes nobody reads), grown to the longest seen. The slot's previous request has
/// completed before it is written again.</summary>
internal unsafe struct HisiSecAeadMemory : IDisposable
{
    private const int BlockBytes = 16;

    private byte* _blocks;
    private byte* _sink;
    private uint _sinkLength;

    /// <summary>Room for <paramref name="length"/> bytes of associated data in the destination (allocated only when it
    /// grows).</summary>
    public ulong Sink(uint length)
    {
        if (length > _sinkLength)
        {
            NativeMemory.AlignedFree(_sink);
            _sink = (byte*)NativeMemory.AlignedAlloc(length, 64);
            _sinkLength = length;
        }

        return (ulong)_sink;
    }

    /// <summary>Writes GCM's 12-byte IV, read from <paramref name="nonce"/>, into a 16-byte block whose last 4 bytes are
    /// zero (as UADK extends it for its stream mode), so that the engine reads nothing past the client's nonce.</summary>
    /// <returns>The block's address.</returns>
    public ulong WriteGcmIv(byte* nonce)
    {
        Span<byte> block = Blocks()[..BlockBytes];
        block.Clear();
        new ReadOnlySpan<byte>(nonce, 12).CopyTo(block);
        return (ulong)_blocks;
    }

    /// <summary>Writes CCM's counter block A1 (flags L' = L - 1, the nonce, the counter 1 in the last L bytes) and B0
    /// (flags: Adata, M' = (tag - 2) / 2, L'; the nonce; the message length in the last L bytes), RFC 3610 2.2 and 2.3,
    /// for a nonce of 7 to 13 bytes read from <paramref name="nonce"/>.</summary>
    /// <returns>The addresses of A1 and B0.</returns>
    public (ulong Counter, ulong B0) WriteCcmBlocks(byte* nonce, int nonceLength, int tagLength, bool associatedData, uint messageLength)
    {
        Span<byte> blocks = Blocks();
        Span<byte> counter = blocks[..BlockBytes], b0 = blocks[BlockBytes..];
        int l = BlockBytes - 1 - nonceLength;
        counter.Clear();
        counter[0] = (byte)(l - 1);
        new ReadOnlySpan<byte>(nonce, nonceLength).CopyTo(counter[1..]);
        counter[^1] = 1;
        counter[..(1 + nonceLength)].CopyTo(b0);
        b0[0] = (byte)((associatedData ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (l - 1));
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, messageLength);
        b0[(1 + nonceLength)..].Clear();
        int n = Math.Min(l, 4);
        length[(4 - n)..].CopyTo(b0[(BlockBytes - n)..]);
        return ((ulong)_blocks, (ulong)(_blocks + BlockBytes));
    }

    private Span<byte> Blocks()
    {
        if (_blocks is null)
        {
            _blocks = (byte*)NativeMemory.AlignedAlloc(2 * BlockBytes, 64);
        }

        return new Span<byte>(_blocks, 2 * BlockBytes);
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_blocks);
        NativeMemory.AlignedFree(_sink);
        _blocks = _sink = null;
        _sinkLength = 0;
    }
}
