namespace WarpDrive.Abi;

/// <summary>How a digest request uses its hash: SQE <c>Mode</c> for <see cref="Opcode.Digest"/>.</summary>
public enum DigestMode : byte
{
    /// <summary>The plain hash (or the MAC the algorithm is, for <see cref="DigestAlgorithm.AesCmac"/>).</summary>
    Hash = 0,

    /// <summary>HMAC (RFC 2104) keyed with <see cref="CryptoParams.Key"/>; any key length.</summary>
    Hmac = 1,
}
