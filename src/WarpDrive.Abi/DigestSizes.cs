namespace WarpDrive.Abi;

/// <summary>Output sizes of the <see cref="DigestAlgorithm"/> values: what a digest request writes to <c>Dst</c>.</summary>
public static class DigestSizes
{
    /// <summary>The digest (or MAC) size of <paramref name="algorithm"/> in bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a digest algorithm.</exception>
    public static int Of(DigestAlgorithm algorithm) => algorithm switch
    {
        DigestAlgorithm.Md5 or DigestAlgorithm.AesCmac => 16,
        DigestAlgorithm.Sha1 => 20,
        DigestAlgorithm.Sha224 => 28,
        DigestAlgorithm.Sha256 or DigestAlgorithm.Sha3_256 or DigestAlgorithm.Sm3 => 32,
        DigestAlgorithm.Sha384 => 48,
        DigestAlgorithm.Sha512 or DigestAlgorithm.Sha3_512 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown digest algorithm"),
    };
}
