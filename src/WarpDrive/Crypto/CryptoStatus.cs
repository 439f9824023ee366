using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>Completion statuses of SEC and HPRE requests as results and exceptions. The throw paths are kept out of
/// the mappers so that those stay small.</summary>
internal static class CryptoStatus
{
    /// <summary>OK: bytes produced; anything else throws.</summary>
    public static int Produced(in Cqe cqe)
    {
        if (cqe.Status == CompletionStatus.KeyRejected)
        {
            ThrowKeyRejected();
        }

        if (cqe.Status != CompletionStatus.Ok)
        {
            Throw(cqe.Status, "the request");
        }

        return (int)cqe.Produced;
    }

    /// <summary>OK: bytes produced; AUTH_FAILED: the AEAD tag did not match.</summary>
    public static int Decrypted(in Cqe cqe)
    {
        if (cqe.Status == CompletionStatus.AuthFailed)
        {
            ThrowTagMismatch();
        }

        return Produced(in cqe);
    }

    /// <summary>OK: bytes produced; AUTH_FAILED: the RSA or SM2 padding or ciphertext check failed.</summary>
    public static int PublicKeyDecrypted(in Cqe cqe)
    {
        if (cqe.Status == CompletionStatus.AuthFailed)
        {
            ThrowDecryptionFailed();
        }

        return Produced(in cqe);
    }

    /// <summary>OK: 1 (valid); AUTH_FAILED: 0 (the signature does not verify); anything else throws (KEY_REJECTED:
    /// <see cref="CryptographicException"/>).</summary>
    public static int Verified(in Cqe cqe)
    {
        if (cqe.Status == CompletionStatus.AuthFailed)
        {
            return 0;
        }

        Produced(in cqe); // throws for any other failure
        return 1;
    }

    [DoesNotReturn]
    private static void ThrowTagMismatch() =>
        throw new AuthenticationTagMismatchException("the authentication tag does not match: the data or the associated data was altered, or the key or nonce is wrong; no plaintext was released");

    [DoesNotReturn]
    private static void ThrowKeyRejected() =>
        throw new CryptographicException("the device rejected the key: not a valid key for this algorithm (a point off the curve or of low order, an RSA key with an even exponent, small factors or inconsistent CRT values)");

    [DoesNotReturn]
    private static void ThrowDecryptionFailed() => throw new CryptographicException("decryption failed: the ciphertext or its padding is not valid for this key");

    [DoesNotReturn]
    public static void Throw(CompletionStatus status, string what) =>
        throw new WdException(status switch
        {
            CompletionStatus.BadRequest => $"the device rejected {what} as malformed (BadRequest): a key, IV, tag or length it does not accept",
            CompletionStatus.AddressFault => $"the device cannot reach a buffer of {what} (AddressFault; on a broker device without SVA, buffers must come from WdRuntime.ReserveMemory)",
            CompletionStatus.OutOfSpace => $"the destination is too small for {what} (OutOfSpace)",
            CompletionStatus.Unsupported => $"the device does not implement {what} (Unsupported)",
            CompletionStatus.Disabled => $"the queue was disabled before {what} ran (Disabled)",
            CompletionStatus.AuthFailed => $"authentication failed for {what} (AuthFailed)",
            _ => $"the device failed {what} ({status})",
        });
}
