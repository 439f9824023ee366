using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;
using WarpDrive.Queues;

namespace WarpDrive.Tests.Crypto;

/// <summary>The context's key slab: sessions' keys share one device-visible buffer.</summary>
public sealed class KeySlabTests : IDisposable
{
    private readonly WdRuntime _runtime = new(new WdRuntimeOptions
    {
        Mode = WdDeviceMode.Local,
        MaxContextsPerAlgorithm = 1,
        EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 4, WorkerCount = 1, QueueDepth = 16 },
    });

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public void LeasesAreZeroedAndReusedAndTheSlabSaysNoWhenFull()
    {
        using WdQueue queue = _runtime.RequestQueue("cipher");
        using var slab = new KeySlab(queue);
        Assert.False(slab.TryRent(KeySlab.MaxLease + 1, out _)); // too large: the caller makes its own buffer

        Assert.True(slab.TryRent(100, out IDeviceMemory? first));
        Assert.Equal(128, first.Length); // two units
        Assert.DoesNotContain(first.Span.ToArray(), b => b != 0);
        first.Span.Fill(0x5A);
        nint address = first.Address;
        first.Dispose();
        first.Dispose(); // idempotent
        Assert.Equal(0, slab.UsedUnits);

        Assert.True(slab.TryRent(128, out IDeviceMemory? again));
        Assert.Equal(address, again.Address); // first fit: the same units, handed back zeroed
        Assert.DoesNotContain(again.Span.ToArray(), b => b != 0);

        var leases = new List<IDeviceMemory> { again };
        while (slab.TryRent(KeySlab.MaxLease, out IDeviceMemory? lease))
        {
            leases.Add(lease);
        }

        Assert.False(slab.TryRent(KeySlab.MaxLease, out _));
        Assert.True(slab.TryRent(KeySlab.Unit * 62, out _)); // the 62 units left after the 2-unit lease and 15 full ones
        foreach (IDeviceMemory lease in leases)
        {
            lease.Dispose();
        }
    }

    [Fact]
    public void HundredsOfSessionsShareOneContextsSlab()
    {
        byte[] iv = new byte[16], data = RandomNumberGenerator.GetBytes(64), output = new byte[64];
        var sessions = new List<CipherSession>();
        try
        {
            for (int i = 0; i < 300; i++)
            {
                byte[] key = RandomNumberGenerator.GetBytes(32);
                var session = new CipherSession(CipherAlgorithm.AesCbc, key, _runtime);
                sessions.Add(session);
                session.Encrypt(iv, data, output);
                using var aes = Aes.Create();
                aes.Key = key;
                Assert.Equal(aes.EncryptCbc(data, iv, PaddingMode.None), output);
            }

            // 300 keys of one unit each fit one slab (1024 units): the domain the engines scan for every field of
            // every request holds a handful of ranges, not one per session.
            Assert.True(_runtime.EmbeddedDomain!.SharedRangeCount < 10, $"{_runtime.EmbeddedDomain.SharedRangeCount} ranges for 300 sessions");
        }
        finally
        {
            foreach (CipherSession session in sessions)
            {
                session.Dispose();
            }
        }

        Assert.Equal(0, _runtime.FindEmbeddedHost("sec-0")!.FaultCount);
    }
}
