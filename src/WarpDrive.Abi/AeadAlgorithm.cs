namespace WarpDrive.Abi;

/// <summary>Authenticated cipher of an AEAD request: SQE <c>Algorithm</c> for <see cref="Opcode.AeadEncrypt"/> and
/// <see cref="Opcode.AeadDecrypt"/>.</summary>
public enum AeadAlgorithm : byte
{
    /// <summary>AES-GCM. Key 16, 24 or 32 bytes; nonce 12 bytes; tag 12-16 bytes.</summary>
    AesGcm = 1,

    /// <summary>AES-CCM. Key 16, 24 or 32 bytes; nonce 7-13 bytes; tag 4-16 bytes, even.</summary>
    AesCcm = 2,

    /// <summary>SM4-GCM. Key 16 bytes; nonce 12 bytes; tag 12-16 bytes.</summary>
    Sm4Gcm = 3,

    /// <summary>ChaCha20-Poly1305 (RFC 8439). Key 32 bytes; nonce 12 bytes; tag 16 bytes.</summary>
    ChaCha20Poly1305 = 4,
}
