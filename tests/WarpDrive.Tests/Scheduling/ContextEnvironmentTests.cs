using WarpDrive.Scheduling;

namespace WarpDrive.Tests.Scheduling;

public sealed class ContextEnvironmentTests
{
    private static readonly string[] s_comp = ["comp", "decomp"];

    [Fact]
    public void UadksCompressionExampleParses()
    {
        IReadOnlyList<ContextSpec> specs = ContextEnvironment.ParseContextNumber("WD_COMP_CTX_NUM", "sync-comp:2@0, async-decomp:4@1,sync-decomp:1", s_comp);
        Assert.Equal(
            [new ContextSpec(false, "comp", 2, 0), new ContextSpec(true, "decomp", 4, 1), new ContextSpec(false, "decomp", 1, -1)],
            specs);
    }

    [Fact]
    public void LibrariesWithoutOperationTypesTakeModesOnly()
    {
        Assert.Equal([new ContextSpec(false, null, 2, 0), new ContextSpec(true, null, 4, 0)],
            ContextEnvironment.ParseContextNumber("WD_CIPHER_CTX_NUM", "sync:2@0,async:4@0", []));
        var error = Assert.Throws<WdConfigurationException>(() => ContextEnvironment.ParseContextNumber("WD_CIPHER_CTX_NUM", "sync-comp:2@0", []));
        Assert.Equal("WD_CIPHER_CTX_NUM", error.Setting);
        Assert.Contains("no operation types", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "is not MODE:COUNT@NODE")]
    [InlineData("sync-comp", "is not MODE:COUNT@NODE")]
    [InlineData("poll-comp:2@0", "neither sync nor async")]
    [InlineData("sync-zip:2@0", "not one of comp, decomp")]
    [InlineData("sync-comp:0@0", "from 1 to 1024")]
    [InlineData("sync-comp:2000@0", "from 1 to 1024")]
    [InlineData("sync-comp:x@0", "from 1 to 1024")]
    [InlineData("sync-comp:2@-2", "NUMA node")]
    [InlineData("sync-comp:2@a", "NUMA node")]
    [InlineData("sync-comp:2@0,sync-comp:3@0", "given twice")]
    public void BadValuesNameTheVariableInOneLine(string value, string expected)
    {
        var error = Assert.Throws<WdConfigurationException>(() => ContextEnvironment.ParseContextNumber("WD_COMP_CTX_NUM", value, s_comp));
        Assert.StartsWith("WD_COMP_CTX_NUM=", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("sync-comp:2@0,async-decomp:4@0", error.Message, StringComparison.Ordinal); // what it should look like
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void PollSettingsParseOrSayWhatTheyTake()
    {
        Assert.True(ContextEnvironment.ParsePollEnable("WD_COMP_ASYNC_POLL_EN", "1"));
        Assert.False(ContextEnvironment.ParsePollEnable("WD_COMP_ASYNC_POLL_EN", " 0 "));
        Assert.Contains("must be 0", Assert.Throws<WdConfigurationException>(() => ContextEnvironment.ParsePollEnable("WD_COMP_ASYNC_POLL_EN", "yes")).Message, StringComparison.Ordinal);
        Assert.Equal(4, ContextEnvironment.ParsePollThreads("WD_RSA_ASYNC_POLL_NUM", "4"));
        Assert.Equal("WD_RSA_ASYNC_POLL_NUM", Assert.Throws<WdConfigurationException>(() => ContextEnvironment.ParsePollThreads("WD_RSA_ASYNC_POLL_NUM", "0")).Setting);
        Assert.Throws<WdConfigurationException>(() => ContextEnvironment.ParsePollThreads("WD_RSA_ASYNC_POLL_NUM", "65"));
    }
}
