using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;

namespace WarpDrive.Abi.Broker;

/// <summary>The credential of one allocation of broker queues (docs/BROKER-PROTOCOL.md, "Allocations"; docs/KUBERNETES.md):
/// 128 random bits, written as 32 lowercase hex digits. A device plugin makes one per container it allocates queues
/// to, writes the allocation's limits to <c>&lt;run&gt;/alloc/&lt;token&gt;</c> (<see cref="AllocationFile"/>) and
/// gives the container the token in <see cref="EnvironmentVariable"/>; libwd presents it with <c>CLAIM</c>
/// (<see cref="BrokerOp.Claim"/>, the two halves in <c>arg0</c> and <c>arg1</c>), and the broker counts the
/// connection's queues against the allocation.</summary>
/// <param name="Low">The first 8 bytes, little-endian (<c>arg0</c>).</param>
/// <param name="High">The last 8 bytes, little-endian (<c>arg1</c>).</param>
public readonly record struct AllocationToken(ulong Low, ulong High)
{
    /// <summary>The environment variable that carries the token into a client (<c>WD_ALLOCATION</c>).</summary>
    public const string EnvironmentVariable = "WD_ALLOCATION";

    /// <summary>Length of the token's text: 32 hex digits.</summary>
    public const int TextLength = 32;

    /// <summary>A fresh token from the system's cryptographic random number generator.</summary>
    public static AllocationToken NewRandom()
    {
        Span<byte> bytes = stackalloc byte[16];
        RandomNumberGenerator.Fill(bytes);
        return new AllocationToken(BitConverter.ToUInt64(bytes[..8]), BitConverter.ToUInt64(bytes[8..]));
    }

    /// <summary>Reads a token's text: exactly <see cref="TextLength"/> hex digits (either case); false otherwise.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out AllocationToken token)
    {
        token = default;
        if (text is not { Length: TextLength }
            || !ulong.TryParse(text.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong low)
            || !ulong.TryParse(text.AsSpan(16, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong high))
        {
            return false;
        }

        token = new AllocationToken(low, high);
        return true;
    }

    /// <summary>The token's text: 32 lowercase hex digits (also the name of its allocation file).</summary>
    public override string ToString() =>
        Low.ToString("x16", CultureInfo.InvariantCulture) + High.ToString("x16", CultureInfo.InvariantCulture);
}
