using System.Security.Cryptography;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.Macs;
using Org.BouncyCastle.Crypto.Parameters;
using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>One running hash or MAC of the SEC device: the runtime's <see cref="IncrementalHash"/> (MD5, SHA-1,
/// SHA-2 but 224, SHA-3, and their HMACs) or BouncyCastle (SHA-224, SM3, their HMACs, AES-CMAC). After
/// <see cref="Finish"/> it starts over with the same key, so a block-mode instance is reused.</summary>
internal abstract class SecDigest : IDisposable
{
    /// <summary>Largest digest (SHA-512).</summary>
    public const int MaxSize = 64;

    private bool _dirty;

    public abstract int Size { get; }

    public void Append(ReadOnlySpan<byte> data)
    {
        _dirty = true;
        AppendCore(data);
    }

    /// <summary>Writes the digest to <paramref name="destination"/> (at least <see cref="Size"/> bytes) and starts over.</summary>
    public void Finish(Span<byte> destination)
    {
        FinishCore(destination);
        _dirty = false;
    }

    /// <summary>Drops input of an earlier request that did not finish (one that failed mid-way).</summary>
    public void Restart()
    {
        if (_dirty)
        {
            Span<byte> discard = stackalloc byte[MaxSize];
            Finish(discard);
            CryptographicOperations.ZeroMemory(discard);
        }
    }

    protected abstract void AppendCore(ReadOnlySpan<byte> data);

    protected abstract void FinishCore(Span<byte> destination);

    public abstract void Dispose();

    /// <summary>The digest size of <paramref name="algorithm"/> (a defined value).</summary>
    public static int SizeOf(DigestAlgorithm algorithm) => DigestSizes.Of(algorithm);

    /// <summary>Whether this build can run <paramref name="algorithm"/> in <paramref name="mode"/> (SHA-3 needs an
    /// OpenSSL that has it).</summary>
    public static bool IsSupported(DigestAlgorithm algorithm, DigestMode mode) => algorithm switch
    {
        DigestAlgorithm.Sha3_256 => mode == DigestMode.Hash ? SHA3_256.IsSupported : HMACSHA3_256.IsSupported,
        DigestAlgorithm.Sha3_512 => mode == DigestMode.Hash ? SHA3_512.IsSupported : HMACSHA3_512.IsSupported,
        _ => true,
    };

    /// <summary>Makes a digest for a checked, supported algorithm and mode; <paramref name="key"/> keys HMAC and CMAC.</summary>
    public static SecDigest Create(DigestAlgorithm algorithm, DigestMode mode, ReadOnlySpan<byte> key)
    {
        if (algorithm == DigestAlgorithm.AesCmac)
        {
            return new BcMac(new CMac(AesUtilities.CreateEngine()), key, 16);
        }

        if (algorithm is DigestAlgorithm.Sha224 or DigestAlgorithm.Sm3)
        {
            IDigest inner = algorithm == DigestAlgorithm.Sha224 ? new Sha224Digest() : new SM3Digest();
            return mode == DigestMode.Hash ? new BcDigest(inner) : new BcMac(new HMac(inner), key, 1);
        }

        HashAlgorithmName name = algorithm switch
        {
            DigestAlgorithm.Md5 => HashAlgorithmName.MD5,
            DigestAlgorithm.Sha1 => HashAlgorithmName.SHA1,
            DigestAlgorithm.Sha256 => HashAlgorithmName.SHA256,
            DigestAlgorithm.Sha384 => HashAlgorithmName.SHA384,
            DigestAlgorithm.Sha512 => HashAlgorithmName.SHA512,
            DigestAlgorithm.Sha3_256 => HashAlgorithmName.SHA3_256,
            DigestAlgorithm.Sha3_512 => HashAlgorithmName.SHA3_512,
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
        };
        return new RuntimeDigest(mode == DigestMode.Hash ? IncrementalHash.CreateHash(name) : IncrementalHash.CreateHMAC(name, key));
    }

    private sealed class RuntimeDigest(IncrementalHash hash) : SecDigest
    {
        public override int Size => hash.HashLengthInBytes;

        protected override void AppendCore(ReadOnlySpan<byte> data) => hash.AppendData(data);

        protected override void FinishCore(Span<byte> destination) => hash.GetHashAndReset(destination);

        public override void Dispose() => hash.Dispose();
    }

    private sealed class BcDigest(IDigest digest) : SecDigest
    {
        public override int Size => digest.GetDigestSize();

        protected override void AppendCore(ReadOnlySpan<byte> data) => digest.BlockUpdate(data);

        protected override void FinishCore(Span<byte> destination) => digest.DoFinal(destination);

        public override void Dispose() => digest.Reset();
    }

    private sealed class BcMac : SecDigest
    {
        private readonly IMac _mac;
        private readonly int _scrubKeyLength;

        public BcMac(IMac mac, ReadOnlySpan<byte> key, int scrubKeyLength)
        {
            _mac = mac;
            _scrubKeyLength = scrubKeyLength;
            mac.Init(new KeyParameter(key));
        }

        public override int Size => _mac.GetMacSize();

        protected override void AppendCore(ReadOnlySpan<byte> data) => _mac.BlockUpdate(data);

        protected override void FinishCore(Span<byte> destination) => _mac.DoFinal(destination);

        public override void Dispose()
        {
            // The MAC keeps its key schedule (HMAC pads, CMAC subkeys) in private arrays: rekeying with zeros
            // overwrites them.
            Span<byte> zero = stackalloc byte[_scrubKeyLength];
            zero.Clear();
            _mac.Init(new KeyParameter(zero));
        }
    }
}
