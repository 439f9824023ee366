using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace WarpDrive.Drivers;

/// <summary>The operand memory of an HPRE queue, one block per SQ slot (what UADK's <c>wd_rsa</c>, <c>wd_dh</c> and
/// <c>wd_ecc</c> allocate per request): the key in the engine's layout, the input, the output, and a scratch field the
/// driver checks a result against. With SVA the engine reads them at their virtual addresses. Scrubbed when a request
/// completes: they hold private keys and nonces.</summary>
internal sealed unsafe class HisiHpreOperands : IDisposable
{
    /// <summary>The key field: at most RSA's CRT key of 4096 bits, five halves of 256 bytes.</summary>
    public const int KeyBytes = 1280;

    /// <summary>The input, output and scratch fields: at most one 4096-bit number.</summary>
    public const int FieldBytes = 512;

    private const int SlotBytes = KeyBytes + (3 * FieldBytes);

    private byte* _memory;
    private readonly int _slots;

    public HisiHpreOperands(int slots)
    {
        _slots = slots;
        _memory = (byte*)NativeMemory.AlignedAlloc((nuint)(slots * SlotBytes), 64);
        new Span<byte>(_memory, slots * SlotBytes).Clear();
    }

    public Span<byte> Key(int slot) => new(Base(slot), KeyBytes);

    public Span<byte> Input(int slot) => new(Base(slot) + KeyBytes, FieldBytes);

    public Span<byte> Output(int slot) => new(Base(slot) + KeyBytes + FieldBytes, FieldBytes);

    /// <summary>What the driver compares a result with (an RSA verification's expected encoding).</summary>
    public Span<byte> Scratch(int slot) => new(Base(slot) + KeyBytes + (2 * FieldBytes), FieldBytes);

    public ulong KeyAddress(int slot) => (ulong)Base(slot);

    public ulong InputAddress(int slot) => (ulong)(Base(slot) + KeyBytes);

    public ulong OutputAddress(int slot) => (ulong)(Base(slot) + KeyBytes + FieldBytes);

    /// <summary>Zeroes a slot's operands.</summary>
    public void Scrub(int slot) => CryptographicOperations.ZeroMemory(new Span<byte>(Base(slot), SlotBytes));

    private byte* Base(int slot)
    {
        ObjectDisposedException.ThrowIf(_memory is null, this);
        return (uint)slot < (uint)_slots ? _memory + ((nint)slot * SlotBytes) : throw new ArgumentOutOfRangeException(nameof(slot));
    }

    /// <summary>Writes <paramref name="value"/> (big-endian) into <paramref name="field"/>, right-aligned with leading
    /// zeros (UADK's <c>crypto_bin_to_hpre_bin</c>); false when it does not fit.</summary>
    public static bool WriteFixed(ReadOnlySpan<byte> value, Span<byte> field)
    {
        int start = value.IndexOfAnyExcept((byte)0);
        ReadOnlySpan<byte> digits = start < 0 ? default : value[start..];
        if (digits.Length > field.Length)
        {
            return false;
        }

        field[..^digits.Length].Clear();
        digits.CopyTo(field[^digits.Length..]);
        return true;
    }

    /// <summary>Whether the big-endian <paramref name="value"/> is below <paramref name="limit"/> (same length).</summary>
    public static bool IsBelow(ReadOnlySpan<byte> value, ReadOnlySpan<byte> limit) =>
        value.Length == limit.Length && value.SequenceCompareTo(limit) < 0;

    public void Dispose()
    {
        if (_memory is not null)
        {
            CryptographicOperations.ZeroMemory(new Span<byte>(_memory, _slots * SlotBytes));
            NativeMemory.AlignedFree(_memory);
            _memory = null;
        }
    }
}
