using System.Numerics;
using WarpDrive.Crypto;

namespace WarpDrive.Tests.Crypto;

/// <summary>The DH library through an in-process HPRE device.</summary>
public sealed class DhSessionTestsInProcess(HpreRuntime fixture) : DhSessionTests(fixture.Runtime), IClassFixture<HpreRuntime>;

/// <summary>The DH library through a real wdd's HPRE device (SVA: the broker copies in and out).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class DhSessionTestsBroker(CryptoBrokerFixture fixture) : DhSessionTests(fixture.Runtime), IClassFixture<CryptoBrokerFixture>;

public abstract class DhSessionTests(WdRuntime runtime)
{
    private readonly WdRuntime _runtime = runtime;

    [Theory]
    [InlineData("modp2048")]
    [InlineData("ffdhe2048")]
    public void BothPartiesAgree(string name)
    {
        DhGroup group = name == "modp2048" ? DhGroup.Modp2048 : DhGroup.Ffdhe2048;
        byte[] a = DhSession.GeneratePrivateKey(group.Prime.Span), b = DhSession.GeneratePrivateKey(group.Prime.Span);
        using var alice = new DhSession(group, a, _runtime);
        using var bob = new DhSession(group, b, _runtime);
        byte[] pa = new byte[256], pb = new byte[256], sa = new byte[256], sb = new byte[256];
        Assert.Equal(256, alice.ComputePublicKey(pa));
        Assert.Equal(256, bob.ComputePublicKey(pb));
        Assert.Equal(256, alice.ComputeSharedSecret(pb, sa));
        Assert.Equal(256, bob.ComputeSharedSecret(pa, sb));
        Assert.Equal(sa, sb);

        // The runtime's arithmetic agrees: g^a mod p.
        var p = new BigInteger(group.Prime.Span, isUnsigned: true, isBigEndian: true);
        BigInteger expected = BigInteger.ModPow(2, new BigInteger(a, isUnsigned: true, isBigEndian: true), p);
        Assert.Equal(expected, new BigInteger(pa, isUnsigned: true, isBigEndian: true));
    }

    [Fact]
    public async Task AsyncTwinsAgreeWithSync()
    {
        DhGroup group = DhGroup.Modp2048;
        byte[] a = DhSession.GeneratePrivateKey(group.Prime.Span), b = DhSession.GeneratePrivateKey(group.Prime.Span);
        using var alice = new DhSession(group.Prime.Span, group.Generator.Span, a, _runtime);
        using var bob = new DhSession(group, b, _runtime);
        byte[] pa = new byte[256], pb = new byte[256], sa = new byte[256], sb = new byte[256];
        Assert.Equal(256, await alice.ComputePublicKeyAsync(pa));
        bob.ComputePublicKey(pb);
        Assert.Equal(256, await alice.ComputeSharedSecretAsync(pb, sa));
        bob.ComputeSharedSecret(pa, sb);
        Assert.Equal(sa, sb);
    }

    [Fact]
    public void ParameterErrorsThrowBeforeAnythingIsQueued()
    {
        DhGroup group = DhGroup.Ffdhe2048;
        byte[] x = DhSession.GeneratePrivateKey(group.Prime.Span);
        byte[] even = group.Prime.ToArray();
        even[^1] ^= 1;
        Assert.Throws<ArgumentException>(() => new DhSession(even, [2], x, _runtime));
        Assert.Throws<ArgumentException>(() => new DhSession(group.Prime.Span[..64], [2], x, _runtime));
        Assert.Throws<ArgumentException>(() => new DhSession(group.Prime.Span, [1], x, _runtime));
        Assert.Throws<ArgumentException>(() => new DhSession(group, [0, 1], _runtime));
        using var session = new DhSession(group, x, _runtime);
        uint errors = session.QueueErrors; // the queue is shared with the class's other tests
        Assert.Throws<ArgumentException>(() => session.ComputePublicKey(new byte[255]));
        Assert.Throws<ArgumentException>(() => session.ComputeSharedSecret([1], new byte[256]));
        Assert.Throws<ArgumentException>(() => session.ComputeSharedSecret(group.Prime.Span, new byte[256]));
        Assert.Equal(errors, session.QueueErrors);
    }
}
