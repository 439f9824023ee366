namespace WarpDrive.Devices.Sec;

/// <summary>The block cipher of a <see cref="WarpDrive.Abi.CipherAlgorithm"/> (its high nibble).</summary>
internal enum CipherFamily
{
    Aes = 1,
    Sm4 = 2,
    TripleDes = 3,
}
