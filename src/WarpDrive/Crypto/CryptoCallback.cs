namespace WarpDrive.Crypto;

/// <summary>Receives the result of a crypto request submitted with a callback (<c>TryEncrypt</c>, <c>TryDecrypt</c>,
/// <c>TryComputeHash</c>). Same rules as <see cref="Compression.CompressionCallback"/>: it runs on the thread that
/// reaps the completion, after the request's buffers were released; keep it short and never block in it.</summary>
/// <param name="result">The result.</param>
/// <param name="state">The state given with the request.</param>
public delegate void CryptoCallback(in CryptoResult result, object? state);
