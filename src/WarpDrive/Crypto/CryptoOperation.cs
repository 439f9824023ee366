using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>The fixed fields of one SEC or HPRE request: what the session asks for, before the buffers are known.</summary>
internal readonly record struct CryptoOperation(Opcode Opcode, byte Algorithm)
{
    /// <summary>SQE <c>Mode</c>: digest mode or RSA padding.</summary>
    public byte Mode { get; init; }

    /// <summary>SQE <c>Hash</c>: the scheme's hash.</summary>
    public DigestAlgorithm Hash { get; init; }

    /// <summary>SQE <c>Arg</c>.</summary>
    public uint Arg { get; init; }

    /// <summary>Stream flags (digest pieces).</summary>
    public SqeFlags Flags { get; init; }

    /// <summary>Device stream context (with <see cref="SqeFlags.Stream"/>).</summary>
    public uint StreamId { get; init; }

    /// <summary>AEAD tag length.</summary>
    public uint TagLength { get; init; }

    /// <summary>The request names the session's key.</summary>
    public bool UsesKey { get; init; } = true;

    /// <summary>The request carries a parameter block (all but stream release).</summary>
    public bool HasParams { get; init; } = true;
}
