using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>One digest stream: what its first piece named, and the running hash or MAC.</summary>
internal sealed record DigestStream(DigestAlgorithm Algorithm, DigestMode Mode, SecDigest Digest);
