namespace WarpDrive.Abi;

/// <summary>What a submission queue entry asks the device to do. One byte at SQE offset 8.</summary>
/// <remarks>0x00-0x0F are generic, 0x10-0x1F belong to ZIP devices, 0x20-0x2F to SEC devices (symmetric crypto),
/// 0x30-0x4F to HPRE devices (public-key crypto). Byte layouts per opcode in docs/QUEUE-ABI.md.</remarks>
public enum Opcode : byte
{
    /// <summary>Do nothing and complete with <see cref="CompletionStatus.Ok"/>; measures the queue itself.</summary>
    Nop = 0x00,

    /// <summary>Compress <c>Src</c> into <c>Dst</c> (ZIP).</summary>
    Compress = 0x10,

    /// <summary>Decompress <c>Src</c> into <c>Dst</c> (ZIP).</summary>
    Decompress = 0x11,

    /// <summary>Free the device-side stream context named by <c>StreamId</c> without finishing the stream (ZIP, and
    /// SEC for digest streams).</summary>
    StreamRelease = 0x12,

    /// <summary>Encrypt <c>Src</c> into <c>Dst</c> with a block cipher (SEC). <c>Algorithm</c>: <see cref="CipherAlgorithm"/>.</summary>
    CipherEncrypt = 0x20,

    /// <summary>Decrypt <c>Src</c> into <c>Dst</c> with a block cipher (SEC).</summary>
    CipherDecrypt = 0x21,

    /// <summary>Hash or MAC <c>Src</c>; the digest goes to <c>Dst</c> (SEC). <c>Algorithm</c>: <see cref="DigestAlgorithm"/>;
    /// <c>Mode</c>: <see cref="DigestMode"/>. Stream flags feed a long message in pieces (first, middle, final).</summary>
    Digest = 0x22,

    /// <summary>Authenticated encryption (SEC): <c>Dst</c> receives the ciphertext followed by the tag.
    /// <c>Algorithm</c>: <see cref="AeadAlgorithm"/>.</summary>
    AeadEncrypt = 0x23,

    /// <summary>Authenticated decryption (SEC): <c>Src</c> is the ciphertext followed by the tag; a wrong tag completes
    /// with <see cref="CompletionStatus.AuthFailed"/> and releases no plaintext.</summary>
    AeadDecrypt = 0x24,

    /// <summary>RSA signature of the hash in <c>Src</c> with a private key (HPRE).</summary>
    RsaSign = 0x30,

    /// <summary>RSA verification of the signature in <see cref="CryptoParams.Aux"/> over the hash in <c>Src</c> (HPRE).</summary>
    RsaVerify = 0x31,

    /// <summary>RSA encryption of <c>Src</c> with a public key (HPRE).</summary>
    RsaEncrypt = 0x32,

    /// <summary>RSA decryption of <c>Src</c> with a private key (HPRE).</summary>
    RsaDecrypt = 0x33,

    /// <summary>RSA key generation (HPRE): <c>Arg</c> modulus bits; <c>Dst</c> receives a CRT private key blob.</summary>
    RsaKeyGen = 0x34,

    /// <summary>Finite-field Diffie-Hellman (HPRE): <c>Dst</c> = <c>Src</c>^key mod p. Phase 1 passes the generator in
    /// <c>Src</c>, phase 2 the peer's public value.</summary>
    DhCompute = 0x38,

    /// <summary>Signature with a private key (HPRE): ECDSA over a hash, Ed25519 and SM2 over the message.
    /// <c>Algorithm</c>: <see cref="EccCurve"/>.</summary>
    EccSign = 0x40,

    /// <summary>Verification of the signature in <see cref="CryptoParams.Aux"/> (HPRE).</summary>
    EccVerify = 0x41,

    /// <summary>Key pair generation (HPRE): <c>Dst</c> receives the private key followed by the public key.</summary>
    EccKeyGen = 0x42,

    /// <summary>Key agreement, ECDH or X25519 (HPRE): <c>Src</c> is the peer's public key, <c>Dst</c> the shared secret.</summary>
    EccAgree = 0x43,

    /// <summary>SM2 encryption of <c>Src</c> with a public key (HPRE); <c>Dst</c> is C1||C3||C2.</summary>
    EccEncrypt = 0x44,

    /// <summary>SM2 decryption of <c>Src</c> with a private key (HPRE).</summary>
    EccDecrypt = 0x45,
}
