using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Tests.Crypto;

/// <summary>What the crypto sessions promise about their lifetime: hostile peers, Dispose, parameters checked before a
/// queue is taken.</summary>
public sealed class CryptoSessionLifetimeTests : IDisposable
{
    private readonly WdRuntime _runtime = new(new WdRuntimeOptions
    {
        MixMode = false, // requests go to the device under test, not to Mix mode's inline one
        Mode = WdDeviceMode.Local,
        BackgroundPolling = false,
        EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 8, WorkerCount = 1, QueueDepth = 16, QueueErrorThreshold = 8 },
    });

    public void Dispose() => _runtime.Dispose();

    [Fact]
    public void AHostilePeerCannotDisableTheServersQueue()
    {
        using var server = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        byte[] privateKey = server.ExportParameters(true).D!;
        using var session = new EccSession(EccCurve.P256, privateKey, _runtime);
        byte[] offCurve = new byte[65];
        offCurve[0] = 4;
        offCurve[64] = 1; // (0, 1) is not on P-256
        byte[] secret = new byte[32];
        for (int i = 0; i < 50; i++) // far beyond the queue's error threshold of 8
        {
            Assert.Throws<CryptographicException>(() => session.DeriveSharedSecret(offCurve, secret));
        }

        using var peer = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        ECParameters q = peer.ExportParameters(false);
        Assert.Equal(32, session.DeriveSharedSecret([4, .. q.Q.X!, .. q.Q.Y!], secret));
        Assert.Equal(peer.DeriveRawSecretAgreement(server.PublicKey), secret);
    }

    [Fact]
    public async Task DisposeWithoutBackgroundPollingReapsWhatIsInFlight()
    {
        var session = new CipherSession(CipherAlgorithm.AesCtr, new byte[16], _runtime);
        byte[] data = new byte[4096], output = new byte[4096];
        ValueTask<int> pending = session.EncryptAsync(new byte[16], data, output);
        Task dispose = Task.Run(session.Dispose); // nobody polls: Dispose itself must reap
        Assert.Same(dispose, await Task.WhenAny(dispose, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal(4096, await pending);
    }

    [Fact]
    public void DisposingTwiceDoesNotFreeAnotherSessionsStream()
    {
        byte[] message = RandomNumberGenerator.GetBytes(10_000);
        var first = new DigestSession(DigestAlgorithm.Sha256, incremental: true, runtime: _runtime);
        first.Dispose();
        using var second = new DigestSession(DigestAlgorithm.Sha256, incremental: true, runtime: _runtime);
        second.Append(message.AsSpan(0, 5000));
        first.Dispose(); // must not give back the stream context that second now holds
        using var third = new DigestSession(DigestAlgorithm.Sha256, incremental: true, runtime: _runtime);
        third.Append("other"u8);
        byte[] hash = new byte[32];
        second.Finish(message.AsSpan(5000), hash);
        Assert.Equal(SHA256.HashData(message), hash);
    }

    [Fact]
    public void ParametersAreCheckedBeforeAQueueIsTaken()
    {
        // No device at all: a bad parameter must still be reported as such, not as a missing device.
        using var empty = new WdRuntime(new WdRuntimeOptions { MixMode = false, Mode = WdDeviceMode.Local, EmbeddedDevices = false });
        Assert.Throws<ArgumentException>(() => new EccSession(EccCurve.P256, new byte[31], empty));
        Assert.Throws<ArgumentException>(() => new DhSession(DhGroup.Modp2048, new byte[1], empty));
        Assert.Throws<ArgumentNullException>(() => new RsaSession(null!, empty));
        Assert.Throws<ArgumentException>(() => new CipherSession(CipherAlgorithm.AesCbc, new byte[5], empty));
        Assert.Throws<WdDeviceNotFoundException>(() => new CipherSession(CipherAlgorithm.AesCbc, new byte[16], empty));
    }
}
