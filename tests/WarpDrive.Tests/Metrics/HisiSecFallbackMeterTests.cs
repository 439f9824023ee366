using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using WarpDrive.Diagnostics;
using WarpDrive.Tests.Uacce;

namespace WarpDrive.Tests.Metrics;

/// <summary>What the hisi_sec2 driver runs in software shows in the meter: <c>warpdrive.fallbacks</c> under the kernel
/// device, by algorithm; what the engine runs does not.</summary>
[Collection(MetricsCollection.Name)]
public sealed class HisiSecFallbackMeterTests
{
    [Fact]
    public void RequestsTheEngineLacksAreCountedAsFallbacksUnderTheKernelDevice()
    {
        using var meter = new MeterRecorder();
        using var sec = new KernelSec();
        (string, string) device = (WdMetrics.DeviceTag, sec.Model.Name), kernel = (WdMetrics.LocationTag, "kernel");
        byte[] key = RandomNumberGenerator.GetBytes(16), iv = RandomNumberGenerator.GetBytes(16), data = RandomNumberGenerator.GetBytes(64);
        byte[] output = new byte[64];
        using (var cbc = new CipherSession(CipherAlgorithm.AesCbc, key, sec.Runtime))
        {
            Assert.Equal(64, cbc.Encrypt(iv, data, output)); // on the engine
        }

        using (var ctr = new CipherSession(CipherAlgorithm.AesCtr, key, sec.Runtime))
        {
            Assert.Equal(64, ctr.Encrypt(iv, data, output)); // CTR needs a type-3 BD: software
            Assert.Equal(64, ctr.Encrypt(iv, data, output));
        }

        Assert.Equal(2, meter.Sum(WdMetrics.FallbacksName, device, kernel, (WdMetrics.AlgorithmTag, "aes-ctr"), (WdMetrics.OperationTag, "encrypt")));
        Assert.Equal(2, meter.Sum(WdMetrics.FallbacksName, device, kernel));
        Assert.Equal(3, meter.Sum(WdMetrics.RequestsName, device, kernel)); // every request counts under the device it was sent to
        Assert.Equal((1L, 2L), HisiSecDriverTests.Counts(sec.Model, sec.Runtime));
    }
}
