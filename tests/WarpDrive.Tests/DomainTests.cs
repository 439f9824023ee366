using WarpDrive.Devices;

namespace WarpDrive.Tests;

public class DomainTests
{
    [Fact]
    public void OnlySharedRangesTranslate()
    {
        var domain = new Domain();
        int h = domain.Share(0x10000, 0x1000);
        Assert.True(domain.TryTranslate(0x10000, 0x1000, out nint p));
        Assert.Equal(0x10000, p);
        Assert.True(domain.TryTranslate(0x10800, 0x800, out _));
        Assert.False(domain.TryTranslate(0x10800, 0x801, out _)); // runs past the end
        Assert.False(domain.TryTranslate(0xFFFF, 2, out _)); // starts before
        Assert.False(domain.TryTranslate(0x20000, 1, out _));
        Assert.False(domain.TryTranslate(ulong.MaxValue - 1, 4, out _)); // wraps
        Assert.True(domain.TryTranslate(0, 0, out _)); // empty is fine anywhere
        Assert.False(domain.TryTranslate(0, 1, out _));

        domain.Unshare(h);
        Assert.False(domain.TryTranslate(0x10000, 1, out _));
        Assert.Equal(0, domain.SharedRangeCount);
        Assert.Throws<ArgumentException>(() => domain.Unshare(h));
    }

    [Fact]
    public void TheWholeAddressSpaceTranslatesEveryRangeToItselfButNullAndWrapping()
    {
        Domain domain = Domain.CreateWholeAddressSpace();
        Assert.True(domain.IsWholeAddressSpace);
        Assert.False(new Domain().IsWholeAddressSpace);
        Assert.True(domain.TryTranslate(0x12345, 100, out nint pointer));
        Assert.Equal(0x12345, pointer);
        Assert.True(domain.TryTranslate(0, 0, out _));
        Assert.False(domain.TryTranslate(0, 1, out _));
        Assert.False(domain.TryTranslate(ulong.MaxValue - 1, 4, out _));
        Assert.Equal(0, domain.SharedRangeCount);
    }

    [Fact]
    public void TableGrowsAndReusesSlots()
    {
        var domain = new Domain();
        var handles = new List<int>();
        for (int i = 0; i < 500; i++)
        {
            handles.Add(domain.Share(0x100000 + (i * 0x1000), 0x1000));
        }

        Assert.Equal(500, domain.SharedRangeCount);
        Assert.True(domain.TryTranslate(0x100000 + (499 * 0x1000), 0x1000, out _));
        foreach (int h in handles.Where((_, i) => i % 2 == 0))
        {
            domain.Unshare(h);
        }

        Assert.False(domain.TryTranslate(0x100000, 1, out _));
        Assert.True(domain.TryTranslate(0x101000, 1, out _));
        int again = domain.Share(0x900000, 16);
        Assert.Contains(again, handles); // a freed slot is reused
    }
}
