using System.Security.Cryptography;
using WarpDrive.Crypto;
using WarpDrive.Diagnostics;
using WarpDrive.Tests.Uacce;

namespace WarpDrive.Tests.Metrics;

/// <summary>What the hisi_hpre driver runs in software shows in the meter: <c>warpdrive.fallbacks</c> under the kernel
/// device, by algorithm and operation; what the engine runs does not.</summary>
[Collection(MetricsCollection.Name)]
public sealed class HisiHpreFallbackMeterTests
{
    [Fact]
    public void RequestsTheEngineLacksAreCountedAsFallbacksUnderTheKernelDevice()
    {
        using var meter = new MeterRecorder();
        using var hpre = new KernelHpre();
        (string, string) device = (WdMetrics.DeviceTag, hpre.Model.Name), kernel = (WdMetrics.LocationTag, "kernel");
        using var reference = RSA.Create(2048);
        using RsaKey key = RsaKey.FromRsa(reference, includePrivate: true);
        using var session = new RsaSession(key, hpre.Runtime);
        byte[] hash = SHA256.HashData("abc"u8), signature = new byte[256];
        Assert.Equal(256, session.SignHash(hash, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)); // on the engine
        byte[] label = "label"u8.ToArray(), cipher = new byte[256];
        Assert.Equal(256, session.Encrypt(hash, cipher, RSAEncryptionPadding.OaepSHA256, label)); // OAEP with a label: software
        Assert.Equal(256, session.Encrypt(hash, cipher, RSAEncryptionPadding.OaepSHA256, label));
        byte[] sm2Key = new byte[32];
        sm2Key[^1] = 5;
        using (var sm2 = new EccSession(WarpDrive.Abi.EccCurve.Sm2, sm2Key, hpre.Runtime))
        {
            byte[] sm2Signature = new byte[64];
            Assert.Equal(64, sm2.SignData("abc"u8, sm2Signature)); // SM2 needs the SM3 pre-hash: software
        }

        Assert.Equal(2, meter.Sum(WdMetrics.FallbacksName, device, kernel, (WdMetrics.AlgorithmTag, "rsa"), (WdMetrics.OperationTag, "encrypt")));
        Assert.Equal(1, meter.Sum(WdMetrics.FallbacksName, device, kernel, (WdMetrics.OperationTag, "sign"), (WdMetrics.AlgorithmTag, "sm2")));
        Assert.Equal(3, meter.Sum(WdMetrics.FallbacksName, device, kernel));
        Assert.Equal((1L, 3L), HisiHpreDriverTests.Counts(hpre));
    }
}
