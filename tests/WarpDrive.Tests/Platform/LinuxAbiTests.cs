using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

/// <summary>The per-architecture tables of the platform layer (<c>Interop.Libc.LinuxAbi</c>): pinned against the
/// kernel's own syscall tables, and exercised on whatever architecture runs the tests (x64 here, arm64 under qemu in
/// scripts/test-arm64.sh).</summary>
public sealed unsafe partial class LinuxAbiTests
{
    // linux-libc-dev (scripts/setup.sh): arm64 has no table of its own, it takes asm-generic's, which every
    // architecture's package ships; x86_64's own table is where the x86_64 package puts it.
    private const string GenericTable = "/usr/include/asm-generic/unistd.h";
    private const string X64Table = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";

    [Fact]
    public void TheArm64SyscallNumbersAreAsmGenericTable()
    {
        Dictionary<string, long> table = ReadTable(GenericTable);
        Interop.Libc.LinuxAbi arm64 = Interop.Libc.LinuxAbi.Arm64;

        Assert.Equal(table["__NR3264_fstat"], arm64.Fstat); // __NR_fstat is defined as __NR3264_fstat
        Assert.Equal(table["__NR_futex"], arm64.Futex);
        Assert.Equal(table["__NR_pidfd_open"], arm64.PidfdOpen);
        Assert.Equal(table["__NR_futex_waitv"], arm64.FutexWaitv);
        Assert.Equal(98, arm64.Futex);
        Assert.Equal(80, arm64.Fstat);
    }

    [Fact]
    public void TheX64SyscallNumbersAreTheX64Table()
    {
        Assert.True(File.Exists(X64Table), $"{X64Table} is missing: scripts/setup.sh installs linux-libc-dev");
        Dictionary<string, long> table = ReadTable(X64Table);
        Interop.Libc.LinuxAbi x64 = Interop.Libc.LinuxAbi.X64;

        Assert.Equal(table["__NR_fstat"], x64.Fstat);
        Assert.Equal(table["__NR_futex"], x64.Futex);
        Assert.Equal(table["__NR_pidfd_open"], x64.PidfdOpen);
        Assert.Equal(table["__NR_futex_waitv"], x64.FutexWaitv);
        // The bug this table fixed: x86_64's futex number is accept on arm64, its fstat number setxattr.
        Assert.NotEqual(x64.Futex, Interop.Libc.LinuxAbi.Arm64.Futex);
    }

    [Fact]
    public void TheProcessUsesTheAbiOfItsOwnArchitecture()
    {
        Interop.Libc.LinuxAbi current = Interop.Libc.LinuxAbi.Current;

        Assert.Equal(RuntimeInformation.ProcessArchitecture, current.Architecture);
        Assert.Same(current, RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? Interop.Libc.LinuxAbi.Arm64 : Interop.Libc.LinuxAbi.X64);
        Assert.True(LinuxArchitecture.IsSupported);
        Assert.Null(LinuxArchitecture.UnsupportedReason);
        Assert.Equal(current.Name, LinuxArchitecture.Name);
        Assert.EndsWith(current.Name, RuntimeInformation.RuntimeIdentifier, StringComparison.Ordinal); // linux-x64, linux-arm64
    }

    [Theory]
    [InlineData(Architecture.X86)]
    [InlineData(Architecture.Arm)]
    [InlineData(Architecture.S390x)]
    [InlineData(Architecture.RiscV64)]
    [InlineData(Architecture.LoongArch64)]
    public void AnotherArchitectureIsRefusedWithOneLineThatNamesIt(Architecture architecture)
    {
        Assert.Null(Interop.Libc.LinuxAbi.For(architecture));
        string message = Interop.Libc.LinuxAbi.UnsupportedMessage(architecture);

        Assert.Contains(architecture.ToString().ToLowerInvariant(), message, StringComparison.Ordinal);
        Assert.Contains("x64 and arm64", message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', message);
    }

    [Fact]
    public void FstatReadsSizeAndModeAtThisArchitecturesOffsets()
    {
        string path = Path.Combine(Path.GetTempPath(), $"wd-stat-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(path, new byte[12345]);
            File.SetUnixFileMode(path, (UnixFileMode)Convert.ToInt32("640", 8));
            using var file = File.OpenHandle(path);
            Interop.Libc.Stat st;

            Assert.Equal(0, Interop.Libc.FStatSyscall(Interop.Libc.LinuxAbi.Current.Fstat, file, &st));
            Assert.Equal(12345, st.Size);
            Assert.Equal(Convert.ToUInt32("100640", 8), st.Mode); // S_IFREG | 0640
            Assert.True(Interop.Libc.LinuxAbi.Current.StatSize <= Interop.Libc.Stat.Capacity);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void EpollEventLayoutsAreTheKernelsOfEachArchitecture()
    {
        // x86_64: __EPOLL_PACKED, the public struct itself.
        Assert.Equal(Interop.Libc.LinuxAbi.X64.EpollEventSize, sizeof(EpollEvent));
        Assert.Equal(Interop.Libc.LinuxAbi.X64.EpollDataOffset, (int)Marshal.OffsetOf<EpollEvent>(nameof(EpollEvent.Data)));
        // arm64: natural alignment, what Epoll converts through.
        Assert.Equal(Interop.Libc.LinuxAbi.Arm64.EpollEventSize, sizeof(Interop.Libc.AlignedEpollEvent));
        Interop.Libc.AlignedEpollEvent aligned = default;
        Assert.Equal(Interop.Libc.LinuxAbi.Arm64.EpollDataOffset, (int)((byte*)&aligned.Data - (byte*)&aligned));
    }

    private static Dictionary<string, long> ReadTable(string path)
    {
        var table = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (Match m in Define().Matches(File.ReadAllText(path)))
        {
            table[m.Groups[1].Value] = long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
        }

        return table;
    }

    [GeneratedRegex(@"^#define\s+(__NR(?:3264)?_\w+)\s+(\d+)\s*$", RegexOptions.Multiline)]
    private static partial Regex Define();
}
