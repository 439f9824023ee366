using System.Diagnostics;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

public unsafe class FutexWaitAnyTests
{
    [Fact]
    public void WakesOnTheWordAnotherThreadChanges()
    {
        Assert.True(Futex.IsWaitAnySupported);
        using var region = SharedMemoryRegion.Create("wd-futex", 4096);
        uint* words = (uint*)region.Address;
        string? waiterTask = null;
        using var ready = new ManualResetEventSlim();

        var waker = new Thread(() =>
        {
            ready.Wait();
            // Change the word only once the waiter sleeps in futex_waitv (449), so it is a wake, not EAGAIN.
            var watch = Stopwatch.StartNew();
            while (!File.ReadAllText($"/proc/self/task/{waiterTask}/syscall").StartsWith("449 ", StringComparison.Ordinal)
                && watch.ElapsedMilliseconds < 2000)
            {
                Thread.Sleep(1);
            }

            Interlocked.Increment(ref words[16]);
            Futex.Wake((nint)(words + 16));
        });
        waker.Start();

        waiterTask = Path.GetFileName(new DirectoryInfo("/proc/thread-self").LinkTarget);
        ready.Set();
        var watch = Stopwatch.StartNew();
        bool wasWoken = Futex.TryWaitAny([FutexWaiter.Create((nint)words, 0), FutexWaiter.Create((nint)(words + 16), 0)], TimeSpan.FromSeconds(5), out int woken);
        waker.Join();

        Assert.True(wasWoken);
        Assert.Equal(1, woken);
        Assert.Equal(1u, words[16]);
        Assert.True(watch.ElapsedMilliseconds < 4000);
    }

    [Fact]
    public void TimesOutWithFalse()
    {
        uint* words = stackalloc uint[2];
        words[0] = 3;
        words[1] = 4;
        var watch = Stopwatch.StartNew();
        Assert.False(Futex.TryWaitAny([FutexWaiter.Create((nint)words, 3), FutexWaiter.Create((nint)(words + 1), 4)], TimeSpan.FromMilliseconds(50), out int woken));
        Assert.Equal(-1, woken);
        Assert.InRange(watch.ElapsedMilliseconds, 45, 2000);
    }

    [Fact]
    public void ReturnsAtOnceWhenAWordDiffers()
    {
        uint* words = stackalloc uint[2];
        var watch = Stopwatch.StartNew();
        Assert.False(Futex.TryWaitAny([FutexWaiter.Create((nint)words, 0), FutexWaiter.Create((nint)(words + 1), 7)], TimeSpan.FromSeconds(5), out _));
        Assert.True(watch.ElapsedMilliseconds < 1000);
    }

    [Fact]
    public void AnUnmappedWordIsASpuriousWakeUpNotAnError()
    {
        // An engine collects a queue's doorbell, the broker releases the queue and unmaps its ring, then the engine
        // waits. 0x1000 stands for the unmapped word: below vm.mmap_min_addr, nothing can be mapped there meanwhile.
        nint word = 0x1000;
        uint other = 0;
        var watch = Stopwatch.StartNew();
        Assert.False(Futex.TryWaitAny([FutexWaiter.Create((nint)(&other), 0), FutexWaiter.Create(word, 0)], TimeSpan.FromSeconds(5), out _));
        Assert.True(watch.ElapsedMilliseconds < 1000);
    }

    [Fact]
    public void RejectsBadWaiterCounts()
    {
        uint word = 0;
        var many = new FutexWaiter[Futex.MaxWaiters + 1];
        Array.Fill(many, FutexWaiter.Create((nint)(&word), 0));
        Assert.Throws<ArgumentException>(() => Futex.TryWaitAny(many, TimeSpan.Zero, out _));
        Assert.Throws<ArgumentException>(() => Futex.TryWaitAny([], TimeSpan.Zero, out _));
        Assert.False(Futex.TryWaitAny(many.AsSpan(0, Futex.MaxWaiters), TimeSpan.Zero, out _)); // 128 is fine: times out
    }
}
