namespace WarpDrive.Tests.Crypto;

/// <summary>Hex helpers for published test vectors.</summary>
internal static class Vectors
{
    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));
}
