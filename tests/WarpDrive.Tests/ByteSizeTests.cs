using WarpDrive.Abi;
using WarpDrive.Scheduling;

namespace WarpDrive.Tests;

/// <summary>The one size grammar of wdd.json, the <c>WD_*</c> variables and <c>wd</c>'s options (issue 18).</summary>
public class ByteSizeTests
{
    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData(" 64K ", 64L << 10)]
    [InlineData("64kib", 64L << 10)]
    [InlineData("64 KiB", 64L << 10)]
    [InlineData("256M", 256L << 20)]
    [InlineData("256MiB", 256L << 20)]
    [InlineData("1G", 1L << 30)]
    [InlineData("1GiB", 1L << 30)]
    [InlineData("2T", 2L << 40)]
    [InlineData("2TiB", 2L << 40)]
    [InlineData("10B", 10L)]
    [InlineData("0", 0L)]
    public void EverySpellingOfASizeParses(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out long bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("K")]
    [InlineData("64KB")] // ambiguous: 1000 or 1024
    [InlineData("64MB")]
    [InlineData("-1")]
    [InlineData("1.5K")]
    [InlineData("64 K B")]
    [InlineData("9999999T")] // past a long
    [InlineData("99999999999999999999")]
    public void AnythingElseIsRefused(string text) => Assert.False(ByteSize.TryParse(text, out _));

    [Fact]
    public void ARangeIsChecked()
    {
        Assert.True(ByteSize.TryParse("1K", 1, 1024, out long bytes));
        Assert.Equal(1024, bytes);
        Assert.False(ByteSize.TryParse("0", 1, 1024, out _));
        Assert.False(ByteSize.TryParse("2K", 1, 1024, out _));
    }

    [Fact]
    public void TheInlineThresholdVariableSpeaksTheSameGrammar()
    {
        Assert.Equal(16 << 10, ContextEnvironment.ParseThreshold("WD_COMP_INLINE_THRESHOLD", "16KiB"));
        Assert.Equal(1 << 20, ContextEnvironment.ParseThreshold("WD_COMP_INLINE_THRESHOLD", "1M"));
        Assert.Contains("WD_COMP_INLINE_THRESHOLD", Assert.Throws<WdConfigurationException>(
            () => ContextEnvironment.ParseThreshold("WD_COMP_INLINE_THRESHOLD", "1T")).Message); // past an int
    }
}
