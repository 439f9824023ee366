using System.Diagnostics;
using System.Runtime.InteropServices;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

/// <summary>futex(2) through this architecture's syscall number. With x86_64's number on arm64 (202, accept there)
/// every wait failed at once (ENOTSOCK) and read as a wake-up, so sleepers spun and wakes woke nobody.</summary>
public sealed unsafe class FutexTests : IDisposable
{
    private readonly uint* _word = (uint*)NativeMemory.AlignedAlloc(64, 64);

    public FutexTests() => *_word = 7;

    public void Dispose() => NativeMemory.AlignedFree(_word);

    [Fact]
    public void AWaitOnAnUnchangedWordSleepsUntilItsTimeout()
    {
        var clock = Stopwatch.StartNew();

        Assert.False(Futex.Wait((nint)_word, 7, TimeSpan.FromMilliseconds(100)));
        Assert.True(clock.ElapsedMilliseconds >= 90, $"returned after {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void AWaitOnAChangedWordReturnsAtOnce() => Assert.True(Futex.Wait((nint)_word, 8, TimeSpan.FromSeconds(5)));

    [Fact]
    public void WakeWakesTheThreadThatSleeps()
    {
        nint word = (nint)_word;
        var sleeper = new Thread(() => Futex.Wait(word, 7, TimeSpan.FromSeconds(30)));
        var clock = Stopwatch.StartNew();
        sleeper.Start();
        int woken = 0;
        while (woken == 0 && clock.Elapsed < TimeSpan.FromSeconds(20))
        {
            Thread.Sleep(10); // until the sleeper is in the kernel: a wake before its wait wakes nobody
            woken = Futex.Wake(word);
        }

        Assert.Equal(1, woken);
        Assert.True(sleeper.Join(TimeSpan.FromSeconds(10)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20));
    }
}
