using System.Numerics;
using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Drivers;

/// <summary>The RSA paddings the HPRE driver does in software around the engine's modular exponentiation, as UADK's
/// callers do (RFC 8017): EME-OAEP and EMSA-PSS with MGF1 of the same hash, the PSS salt as long as the hash, the OAEP
/// label empty. Every buffer is the caller's (the slot's operand fields): nothing is allocated.</summary>
internal static class HisiHpreRsaPadding
{
    /// <summary>The digest size of the hashes these schemes take (SHA-1, SHA-256, SHA-384, SHA-512), else 0.</summary>
    public static int HashSize(DigestAlgorithm hash) => hash switch
    {
        DigestAlgorithm.Sha1 => 20,
        DigestAlgorithm.Sha256 => 32,
        DigestAlgorithm.Sha384 => 48,
        DigestAlgorithm.Sha512 => 64,
        _ => 0,
    };

    private static void Hash(DigestAlgorithm hash, ReadOnlySpan<byte> data, Span<byte> digest)
    {
        _ = hash switch
        {
#pragma warning disable CA5350 // OAEP and PSS with SHA-1 are the caller's choice, as RFC 8017 allows
            DigestAlgorithm.Sha1 => SHA1.HashData(data, digest),
#pragma warning restore CA5350
            DigestAlgorithm.Sha256 => SHA256.HashData(data, digest),
            DigestAlgorithm.Sha384 => SHA384.HashData(data, digest),
            _ => SHA512.HashData(data, digest),
        };
    }

    /// <summary>XORs MGF1(<paramref name="seed"/>) into <paramref name="target"/> (RFC 8017 B.2.1);
    /// <paramref name="scratch"/> holds at least the seed's length + 4 + the hash's size.</summary>
    private static void Mgf1Xor(DigestAlgorithm hash, ReadOnlySpan<byte> seed, Span<byte> target, Span<byte> scratch)
    {
        int h = HashSize(hash);
        Span<byte> input = scratch[..(seed.Length + 4)], digest = scratch.Slice(seed.Length + 4, h);
        seed.CopyTo(input);
        for (int offset = 0, counter = 0; offset < target.Length; offset += h, counter++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(input[seed.Length..], counter);
            Hash(hash, input, digest);
            Span<byte> chunk = target[offset..Math.Min(offset + h, target.Length)];
            for (int i = 0; i < chunk.Length; i++)
            {
                chunk[i] ^= digest[i];
            }
        }

        CryptographicOperations.ZeroMemory(scratch[..(seed.Length + 4 + h)]);
    }

    /// <summary>EME-OAEP encoding of <paramref name="message"/> into <paramref name="encoded"/> (k bytes); false when
    /// the message is too long for k (software answers that).</summary>
    public static bool TryEncodeOaep(DigestAlgorithm hash, ReadOnlySpan<byte> message, Span<byte> encoded, Span<byte> scratch)
    {
        int h = HashSize(hash), k = encoded.Length;
        if (h == 0 || message.Length > k - (2 * h) - 2)
        {
            return false;
        }

        // EM = 00 || maskedSeed || maskedDB, DB = lHash || PS (zeros) || 01 || M.
        encoded.Clear();
        Span<byte> seed = encoded.Slice(1, h), db = encoded[(1 + h)..];
        Hash(hash, default, db[..h]); // the hash of the empty label
        db[^(message.Length + 1)] = 1;
        message.CopyTo(db[^message.Length..]);
        RandomNumberGenerator.Fill(seed);
        Mgf1Xor(hash, seed, db, scratch);
        Mgf1Xor(hash, db, seed, scratch);
        return true;
    }

    /// <summary>EME-OAEP decoding of <paramref name="encoded"/> (k bytes, rewritten): the message's offset in it, or -1
    /// for any malformed encoding (one answer for every failure, RFC 8017 7.1.2 note).</summary>
    public static int DecodeOaep(DigestAlgorithm hash, Span<byte> encoded, Span<byte> scratch)
    {
        int h = HashSize(hash), k = encoded.Length;
        if (k < (2 * h) + 2)
        {
            return -1;
        }

        Span<byte> seed = encoded.Slice(1, h), db = encoded[(1 + h)..];
        Mgf1Xor(hash, db, seed, scratch);
        Mgf1Xor(hash, seed, db, scratch);
        Span<byte> labelHash = scratch[..h];
        Hash(hash, default, labelHash);
        bool good = encoded[0] == 0 & CryptographicOperations.FixedTimeEquals(labelHash, db[..h]);
        int separator = db[h..].IndexOfAnyExcept((byte)0);
        good &= separator >= 0 && db[h + separator] == 1;
        return good ? 1 + h + h + separator + 1 : -1;
    }

    /// <summary>The bits of the encoded message for a modulus whose top byte is <paramref name="top"/>: modBits − 1.</summary>
    private static int EncodedBits(int k, byte top) => (8 * k) - BitOperations.LeadingZeroCount((uint)top) + 24 - 1;

    /// <summary>EMSA-PSS encoding (RFC 8017 9.1.1) of the digest <paramref name="digest"/> into <paramref name="encoded"/>
    /// (k bytes, right-aligned); false when k is too small for the hash (software answers that).</summary>
    public static bool TryEncodePss(DigestAlgorithm hash, ReadOnlySpan<byte> digest, byte modulusTop, Span<byte> encoded, Span<byte> scratch)
    {
        int h = HashSize(hash), k = encoded.Length, emBits = EncodedBits(k, modulusTop), emLen = (emBits + 7) / 8;
        if (h == 0 || digest.Length != h || emLen < (2 * h) + 2)
        {
            return false;
        }

        // EM = maskedDB || H || bc, DB = PS (zeros) || 01 || salt, H = Hash(00 x 8 || mHash || salt).
        encoded.Clear();
        Span<byte> em = encoded[(k - emLen)..], db = em[..(emLen - h - 1)], hashField = em.Slice(emLen - h - 1, h);
        Span<byte> salt = db[^h..];
        RandomNumberGenerator.Fill(salt);
        db[^(h + 1)] = 1;
        Span<byte> prime = scratch[..(8 + (2 * h))];
        prime[..8].Clear();
        digest.CopyTo(prime[8..]);
        salt.CopyTo(prime[(8 + h)..]);
        Hash(hash, prime, hashField);
        Mgf1Xor(hash, hashField, db, scratch);
        em[0] &= (byte)(0xff >> ((8 * emLen) - emBits));
        em[^1] = 0xbc;
        return true;
    }

    /// <summary>EMSA-PSS verification (RFC 8017 9.1.2) of <paramref name="encoded"/> (the engine's s^e mod n, k bytes,
    /// rewritten) against <paramref name="digest"/>.</summary>
    public static bool VerifyPss(DigestAlgorithm hash, ReadOnlySpan<byte> digest, byte modulusTop, Span<byte> encoded, Span<byte> scratch)
    {
        int h = HashSize(hash), k = encoded.Length, emBits = EncodedBits(k, modulusTop), emLen = (emBits + 7) / 8;
        if (h == 0 || digest.Length != h || emLen < (2 * h) + 2 || encoded[..(k - emLen)].ContainsAnyExcept((byte)0))
        {
            return false;
        }

        Span<byte> em = encoded[(k - emLen)..], db = em[..(emLen - h - 1)], hashField = em.Slice(emLen - h - 1, h);
        byte topMask = (byte)(0xff >> ((8 * emLen) - emBits));
        if (em[^1] != 0xbc || (em[0] & ~topMask) != 0)
        {
            return false;
        }

        Mgf1Xor(hash, hashField, db, scratch);
        db[0] &= topMask;
        int one = db.Length - h - 1;
        if (db[..one].ContainsAnyExcept((byte)0) || db[one] != 1)
        {
            return false;
        }

        Span<byte> prime = scratch[..(8 + (2 * h))], expected = scratch.Slice(8 + (2 * h), h);
        prime[..8].Clear();
        digest.CopyTo(prime[8..]);
        db[^h..].CopyTo(prime[(8 + h)..]);
        Hash(hash, prime, expected);
        return CryptographicOperations.FixedTimeEquals(expected, hashField);
    }
}
