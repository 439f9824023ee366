using System.Numerics;
using System.Security.Cryptography;
using WarpDrive.Crypto;
using WarpDrive.Drivers;

namespace WarpDrive.Tests.Uacce;

/// <summary>The hardware tier for HPRE: the checks of <see cref="HisiHpreDriverTests"/> on the machine's own hisi_hpre
/// devices (<c>/sys/class/uacce</c>, kernel mode), each request checked to have run on the engine. Skipped where this
/// user can open no kernel HPRE device (<see cref="KernelHpreFactAttribute"/>); the ECC checks return early on a device
/// without ECC (Kunpeng 920).</summary>
[Trait(Tiers.Name, Tiers.Hardware)]
public sealed class HisiHpreHardwareTests : IDisposable
{
    private readonly WdRuntime _runtime = new(new WdRuntimeOptions { MixMode = false, Mode = WdDeviceMode.Kernel });

    /// <summary>Requests the engine ran (not software) on every HPRE context of the runtime.</summary>
    private long EngineRequests() => _runtime.ContextsOnDevice(_runtime.CandidateDevices("rsa")[0])
        .Select(c => c.Queue.Driver).OfType<HisiHpreDriver>().Sum(d => d.EngineRequests);

    [KernelHpreFact]
    public void RsaCrtAndPlainKeysAgreeWithTheRuntime()
    {
        using var reference = RSA.Create(2048);
        RSAParameters p = reference.ExportParameters(true);
        byte[] hash = SHA256.HashData("abc"u8), signature = new byte[256];
        using (RsaKey crt = RsaKey.FromParameters(p))
        using (var session = new RsaSession(crt, _runtime))
        {
            Assert.Equal(256, session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            Assert.Equal(reference.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1), signature);
            Assert.True(session.VerifyHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        }

        using (RsaKey plain = RsaKey.FromParameters(new RSAParameters { Modulus = p.Modulus, Exponent = p.Exponent, D = p.D }))
        using (var session = new RsaSession(plain, _runtime))
        {
            byte[] m = RandomNumberGenerator.GetBytes(256), c = new byte[256], back = new byte[256];
            m[0] = 0x12;
            Assert.Equal(256, session.EncryptRaw(m, c));
            Assert.Equal(256, session.DecryptRaw(c, back));
            Assert.Equal(m, back);
        }

        Assert.Equal(4, EngineRequests());
    }

    [KernelHpreFact]
    public void Rfc3526Group14DiffieHellmanOnTheEngine()
    {
        DhGroup group = DhGroup.Modp2048;
        byte[] a = DhSession.GeneratePrivateKey(group.Prime.Span), publicA = new byte[256];
        using var session = new DhSession(group, a, _runtime);
        Assert.Equal(256, session.ComputePublicKey(publicA));
        var prime = new BigInteger(group.Prime.Span, isUnsigned: true, isBigEndian: true);
        Assert.Equal(BigInteger.ModPow(2, new BigInteger(a, isUnsigned: true, isBigEndian: true), prime), new BigInteger(publicA, isUnsigned: true, isBigEndian: true));
        Assert.Equal(1, EngineRequests());
    }

    [KernelHpreFact]
    public void Rfc7748X25519AndP256EcdsaOnTheEngine()
    {
        if (!KernelHpreDevices.HasEcc())
        {
            return; // Kunpeng 920's HPRE has no ECC: software runs it (HisiHpreDriverTests)
        }

        using (var x25519 = new EccSession(Abi.EccCurve.X25519, Convert.FromHexString("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"), _runtime))
        {
            byte[] secret = new byte[32];
            Assert.Equal(32, x25519.DeriveSharedSecret(Convert.FromHexString("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"), secret));
            Assert.Equal(Convert.FromHexString("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"), secret);
        }

        using var reference = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using (var signer = new EccSession(Abi.EccCurve.P256, reference.ExportParameters(true).D, _runtime))
        {
            byte[] hash = SHA256.HashData("abc"u8), signature = new byte[64];
            Assert.Equal(64, signer.SignHash(hash, signature));
            Assert.True(reference.VerifyHash(hash, signature));
        }

        Assert.Equal(2, _runtime.ContextsOnDevice(_runtime.CandidateDevices("ecdsa")[0])
            .Select(c => c.Queue.Driver).OfType<HisiHpreDriver>().Sum(d => d.EngineRequests));
    }

    public void Dispose() => _runtime.Dispose();
}
