using WarpDrive.Scheduling;

namespace WarpDrive.Tests.Scheduling;

public class LibraryOptionsEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void NothingSetMeansDefaults()
    {
        Assert.Null(LibraryOptions.FromEnvironment(AlgorithmLibrary.Comp, Env()));
        Assert.Null(LibraryOptions.FromEnvironment(AlgorithmLibrary.Comp, Env(("WD_COMP_CTX_NUM", "  "))));
    }

    [Fact]
    public void EveryVariableOfALibraryIsRead()
    {
        LibraryOptions options = LibraryOptions.FromEnvironment(AlgorithmLibrary.Comp, Env(
            ("WD_COMP_CTX_NUM", "sync-comp:2@0,async-decomp:4"),
            ("WD_COMP_ASYNC_POLL_EN", "0"),
            ("WD_COMP_ASYNC_POLL_NUM", "3"),
            ("WD_COMP_SCHED_POLICY", "least-loaded"),
            ("WD_COMP_INLINE_THRESHOLD", "16K"),
            ("WD_CIPHER_CTX_NUM", "nonsense"))) ?? throw new InvalidOperationException("no options");
        Assert.Equal([new ContextSpec(false, "comp", 2, 0), new ContextSpec(true, "decomp", 4, -1)], options.Contexts);
        Assert.False(options.AsyncPolling);
        Assert.Equal(3, options.PollThreads);
        Assert.Equal(SchedulingPolicy.LeastLoaded, options.Policy);
        Assert.Equal(16 * 1024, options.InlineThreshold);

        LibraryOptions? rsa = LibraryOptions.FromEnvironment(AlgorithmLibrary.Rsa, Env(("WD_RSA_SCHED_POLICY", "per-device")));
        Assert.Equal(SchedulingPolicy.PerDevice, rsa!.Policy);
        Assert.Null(rsa.Contexts);
        Assert.Null(rsa.AsyncPolling);
    }

    [Theory]
    [InlineData(AlgorithmLibrary.Cipher, "WD_CIPHER_CTX_NUM", "sync-comp:2")]
    [InlineData(AlgorithmLibrary.Digest, "WD_DIGEST_CTX_NUM", "sync-encrypt:1")]
    [InlineData(AlgorithmLibrary.Aead, "WD_AEAD_ASYNC_POLL_EN", "yes")]
    [InlineData(AlgorithmLibrary.Rsa, "WD_RSA_ASYNC_POLL_NUM", "0")]
    [InlineData(AlgorithmLibrary.Dh, "WD_DH_SCHED_POLICY", "fastest")]
    [InlineData(AlgorithmLibrary.Ecc, "WD_ECC_INLINE_THRESHOLD", "3G")]
    [InlineData(AlgorithmLibrary.Comp, "WD_COMP_INLINE_THRESHOLD", "-1")]
    public void ABadValueNamesItsVariable(AlgorithmLibrary library, string variable, string value)
    {
        WdConfigurationException e = Assert.Throws<WdConfigurationException>(() => LibraryOptions.FromEnvironment(library, Env((variable, value))));
        Assert.Equal(variable, e.Setting);
        Assert.StartsWith(variable, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
