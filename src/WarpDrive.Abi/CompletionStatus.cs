namespace WarpDrive.Abi;

/// <summary>Outcome of one request. Two bytes at CQE offset 20.</summary>
public enum CompletionStatus : ushort
{
    /// <summary>Done.</summary>
    Ok = 0,

    /// <summary>The descriptor is malformed: unknown opcode, algorithm or flag, bad length, non-zero reserved field, bad stream id, a key, IV or tag of the wrong length.</summary>
    BadRequest = 1,

    /// <summary>An address (or a data-list entry) lies outside the memory the device may use.</summary>
    AddressFault = 2,

    /// <summary>The output buffer is too small. Block mode: nothing useful was written; retry with a larger buffer.
    /// Stream mode: <c>Consumed</c>/<c>Produced</c> are valid and the stream resumes with the rest of the input and a fresh buffer.</summary>
    OutOfSpace = 3,

    /// <summary>The input is not valid compressed data (corrupt, truncated, checksum mismatch). <c>Detail</c> says which.</summary>
    DataError = 4,

    /// <summary>The device cannot take the request now (for example no free stream context); retry later.</summary>
    Busy = 5,

    /// <summary>The queue is disabled (isolation, reset, release); the request was not executed.</summary>
    Disabled = 6,

    /// <summary>The device does not implement this algorithm or parameter (for example an unsupported level or window).</summary>
    Unsupported = 7,

    /// <summary>The device failed the request: its execution failed inside the device (a library refused input the
    /// checks let through; not counted against <c>isolate_strategy</c>), or a fault of the device's own (counted).
    /// docs/QUEUE-ABI.md, "Device faults and request failures".</summary>
    InternalError = 8,

    /// <summary>Authentication failed: an AEAD tag or a MAC does not match (no plaintext is released: the destination
    /// holds zeros), or a signature does not verify.</summary>
    AuthFailed = 9,

    /// <summary>The key material is not a valid key for the algorithm: a point off the curve or of low order, an RSA
    /// key the engine refuses (even exponent, a modulus with small factors, inconsistent CRT factors). Unlike
    /// <see cref="BadRequest"/> it does not count against <c>queue_error_threshold</c>: a peer's public key is often
    /// someone else's input, and a server must not lose its queue to a hostile peer.</summary>
    KeyRejected = 10,
}
