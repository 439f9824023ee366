using System.Runtime.InteropServices;

namespace WarpDrive.Abi;

/// <summary>The parameter block of a SEC or HPRE request: 64 bytes in device-visible memory, named by
/// <see cref="Sqe.Params"/>. Every address in it is checked like the SQE's own; unused fields are zero.
/// Byte layout and per-opcode use in docs/QUEUE-ABI.md.</summary>
/// <remarks>The device copies the block once before it reads it, so a client that rewrites it mid-request cannot
/// make the device see two different values.</remarks>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct CryptoParams
{
    /// <summary>Size of the block in bytes.</summary>
    public const int Size = 64;

    /// <summary>Largest associated data, IV, key or auxiliary input a request may name (bytes).</summary>
    public const int MaxFieldLength = 1 << 20;

    /// <summary>Key: cipher or MAC key, RSA key blob, ECC or DH private or public key.</summary>
    [FieldOffset(0)] public ulong Key;

    /// <summary>Key length in bytes.</summary>
    [FieldOffset(8)] public uint KeyLen;

    /// <summary>IV or nonce length in bytes.</summary>
    [FieldOffset(12)] public uint IvLen;

    /// <summary>IV (cipher), nonce (AEAD).</summary>
    [FieldOffset(16)] public ulong Iv;

    /// <summary>Associated data (AEAD), signer's ID (SM2), label (OAEP).</summary>
    [FieldOffset(24)] public ulong Aad;

    /// <summary>Associated data length in bytes.</summary>
    [FieldOffset(32)] public uint AadLen;

    /// <summary>AEAD tag length in bytes (the tag follows the ciphertext).</summary>
    [FieldOffset(36)] public uint TagLen;

    /// <summary>Auxiliary input: the signature to verify (RSA, ECC), the prime p (DH).</summary>
    [FieldOffset(40)] public ulong Aux;

    /// <summary>Auxiliary input length in bytes.</summary>
    [FieldOffset(48)] public uint AuxLen;

    /// <summary>Reserved, must be zero.</summary>
    [FieldOffset(52)] public uint Reserved0;

    /// <summary>Reserved, must be zero.</summary>
    [FieldOffset(56)] public ulong Reserved1;
}
