namespace WarpDrive.Devices.Sec;

/// <summary>Which <see cref="WarpDrive.Abi.CryptoParams"/> fields a SEC request uses; the others must be zero.</summary>
[Flags]
internal enum ParamFields
{
    None = 0,
    Key = 1,
    Iv = 2,
    Aad = 4,
    Tag = 8,
}
