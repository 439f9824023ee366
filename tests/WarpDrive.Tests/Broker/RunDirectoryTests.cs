using WarpDrive.Platform;

namespace WarpDrive.Tests.Broker;

public sealed class RunDirectoryTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void ExplicitPathWins()
    {
        Assert.Equal("/srv/wd", RunDirectory.Resolve("/srv/wd", Env(("WD_RUN_DIR", "/env/wd"), ("XDG_RUNTIME_DIR", "/run/user/1000")), isRoot: true, uid: 1000));
    }

    [Fact]
    public void ExplicitRelativePathBecomesFull()
    {
        Assert.Equal(Path.Combine(Environment.CurrentDirectory, "rel", "wd"), RunDirectory.Resolve("rel/wd", Env(), isRoot: false, uid: 1000));
    }

    [Fact]
    public void EnvironmentVariableComesNext()
    {
        Assert.Equal("WD_RUN_DIR", RunDirectory.EnvironmentVariable);
        Assert.Equal("/env/wd", RunDirectory.Resolve(null, Env(("WD_RUN_DIR", "/env/wd"), ("XDG_RUNTIME_DIR", "/run/user/1000")), isRoot: true, uid: 1000));
        Assert.Equal("/env/wd", RunDirectory.Resolve("", Env(("WD_RUN_DIR", "/env/wd")), isRoot: false, uid: 1000));
    }

    [Fact]
    public void RootUsesRunWarpdrive()
    {
        Assert.Equal("/run/warpdrive", RunDirectory.Resolve(null, Env(("WD_RUN_DIR", ""), ("XDG_RUNTIME_DIR", "/run/user/0")), isRoot: true, uid: 0));
    }

    [Fact]
    public void UserUsesXdgRuntimeDir()
    {
        Assert.Equal("/run/user/1000/warpdrive", RunDirectory.Resolve(null, Env(("XDG_RUNTIME_DIR", "/run/user/1000")), isRoot: false, uid: 1000));
        Assert.Equal("/run/user/1000/warpdrive", RunDirectory.Resolve(null, Env(("XDG_RUNTIME_DIR", "/run/user/1000/")), isRoot: false, uid: 1000));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("relative/dir")]
    public void OtherwiseTmpPerUid(string? xdg)
    {
        Func<string, string?> env = xdg is null ? Env() : Env(("XDG_RUNTIME_DIR", xdg));
        Assert.Equal("/tmp/warpdrive-1234", RunDirectory.Resolve(null, env, isRoot: false, uid: 1234));
    }

    [Fact]
    public void PublicResolveReadsTheRealEnvironment()
    {
        string resolved = RunDirectory.Resolve();
        Assert.True(Path.IsPathFullyQualified(resolved));
        Assert.Equal("/given", RunDirectory.Resolve("/given"));
        string? fromEnv = Environment.GetEnvironmentVariable(RunDirectory.EnvironmentVariable);
        if (!string.IsNullOrEmpty(fromEnv))
        {
            Assert.Equal(Path.GetFullPath(fromEnv), resolved);
        }
    }

    [Fact]
    public void UidIsTheFirstFieldOfTheUidLine()
    {
        Assert.Equal(1000u, RunDirectory.ParseUid("Name:\tdotnet\nUmask:\t0022\nUid:\t1000\t1001\t1002\t1003\nGid:\t100\t100\t100\t100\n"));
        Assert.Null(RunDirectory.ParseUid("Name:\tdotnet\n"));
        Assert.Null(RunDirectory.ParseUid("Uid:\tabc\n"));
        uint real = RunDirectory.ReadUid();
        Assert.Equal(Environment.IsPrivilegedProcess, real == 0);
    }

    [Fact]
    public void PathsUnderTheRunDirectory()
    {
        Assert.Equal("/r/dev/zip-0", RunDirectory.DeviceSocket("/r", "zip-0"));
        Assert.Equal("/r/dev", RunDirectory.DeviceDirectory("/r"));
        Assert.Equal("/r/class/uacce", RunDirectory.ClassDirectory("/r"));
        Assert.Equal("/r/class/uacce/zip-0", RunDirectory.DeviceClassDirectory("/r", "zip-0"));
    }

    [Theory]
    [InlineData("")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("../etc")]
    [InlineData("a/b")]
    public void DeviceNamesCannotLeaveTheRunDirectory(string device)
    {
        Assert.ThrowsAny<ArgumentException>(() => RunDirectory.DeviceSocket("/r", device));
        Assert.ThrowsAny<ArgumentException>(() => RunDirectory.DeviceClassDirectory("/r", device));
    }
}
