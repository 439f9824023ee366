using System.Diagnostics;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

[Trait(Tiers.Name, Tiers.Integration)]
public unsafe class ProcessMemoryTests
{
    private static readonly int s_pid = Environment.ProcessId;

    [Fact]
    public void ReadAndWriteOwnMemoryRoundTrip()
    {
        byte[] source = new byte[10000];
        new Random(1).NextBytes(source);
        byte[] copy = new byte[10000];
        byte[] back = new byte[10000];
        fixed (byte* s = source)
        fixed (byte* c = copy)
        fixed (byte* b = back)
        {
            Assert.True(ProcessMemory.TryRead(s_pid, (ulong)s, c, (nuint)source.Length));
            Assert.Equal(source, copy);

            new Random(2).NextBytes(copy);
            Assert.True(ProcessMemory.TryWrite(s_pid, (ulong)b, c, (nuint)copy.Length, out int errno));
            Assert.Equal(0, errno);
            Assert.Equal(copy, back);

            Assert.True(ProcessMemory.TryRead(s_pid, 0, c, 0)); // length 0 moves nothing, whatever the address
        }
    }

    [Fact]
    public void CopiesRunningIntoAnInaccessiblePageReturnFalse()
    {
        byte* p = Map2Pages();
        try
        {
            // The second page becomes PROT_NONE in place (MAP_FIXED): no hole that another thread's mmap could fill.
            Assert.True(Interop.Libc.MMapAnonymous(p + 4096, 4096, Interop.Libc.PROT_NONE,
                Interop.Libc.MAP_PRIVATE | 0x10 /* MAP_FIXED */) == p + 4096);
            byte* local = stackalloc byte[64];
            new Span<byte>(local, 64).Fill(0xAB);

            Assert.True(ProcessMemory.TryWrite(s_pid, (ulong)(p + 4096 - 32), local, 32));
            Assert.False(ProcessMemory.TryWrite(s_pid, (ulong)(p + 4096 - 32), local, 64, out int errno));
            Assert.Equal(Interop.Libc.EFAULT, errno);
            Assert.False(ProcessMemory.TryRead(s_pid, (ulong)(p + 4096 - 32), local, 64, out errno));
            Assert.Equal(Interop.Libc.EFAULT, errno);
            Assert.False(ProcessMemory.TryRead(s_pid, (ulong)(p + 4096), local, 16));
            Assert.Equal(0xAB, p[4095]);
        }
        finally
        {
            Interop.Libc.MUnmap(p, 8192);
        }
    }

    internal static byte* Map2Pages()
    {
        byte* p = (byte*)Interop.Libc.MMapAnonymous(null, 8192, Interop.Libc.PROT_READ | Interop.Libc.PROT_WRITE,
            Interop.Libc.MAP_PRIVATE);
        Assert.True(p != (byte*)-1);
        return p;
    }

    [Fact]
    public void ReadFromADeadProcessReturnsFalse()
    {
        using var child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        child.WaitForExit();
        byte value = 1;

        Assert.False(ProcessMemory.TryRead(child.Id, (ulong)&value, &value, 1, out int errno));
        Assert.Equal(Interop.Libc.ESRCH, errno);
    }
}

/// <summary>Unmaps a page of its own, so it runs alone: a parallel test's mmap could take the freed page meanwhile.</summary>
[CollectionDefinition(nameof(UnmappedPageTests), DisableParallelization = true)]
public sealed class UnmappedPageCollection;

[Trait(Tiers.Name, Tiers.Integration)]
[Collection(nameof(UnmappedPageTests))]
public unsafe class UnmappedPageTests
{
    [Fact]
    public void ReadAcrossAnUnmappedPageReturnsFalse()
    {
        int pid = Environment.ProcessId;
        byte* p = ProcessMemoryTests.Map2Pages();
        try
        {
            Assert.Equal(0, Interop.Libc.MUnmap(p + 4096, 4096));
            byte* local = stackalloc byte[64];

            // Only reads here: were the hole refilled by the runtime, a write would corrupt whatever took it.
            Assert.True(ProcessMemory.TryRead(pid, (ulong)(p + 4096 - 32), local, 32));
            Assert.False(ProcessMemory.TryRead(pid, (ulong)(p + 4096 - 32), local, 64, out int errno)); // short count
            Assert.Equal(Interop.Libc.EFAULT, errno);
            Assert.False(ProcessMemory.TryRead(pid, (ulong)(p + 4096), local, 16, out errno));             // nothing at all
            Assert.Equal(Interop.Libc.EFAULT, errno);
            Assert.False(ProcessMemory.TryRead(pid, 8, local, 16));
        }
        finally
        {
            Interop.Libc.MUnmap(p, 4096);
        }
    }
}
