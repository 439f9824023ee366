using System.Diagnostics;
using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

public unsafe class UnixSeqPacketSocketTests
{
    [Fact]
    public void PairCarriesAMessageAndTwoDescriptors()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        using (var first = SharedMemoryRegion.Create("wd-first", 4096))
        using (var second = SharedMemoryRegion.Create("wd-second", 8192))
        {
            int firstFd = (int)first.Handle.DangerousGetHandle();
            int secondFd = (int)second.Handle.DangerousGetHandle();
            Assert.Equal(5, a.Send("hello"u8, [firstFd, secondFd]));

            byte[] buffer = new byte[64];
            int[] fds = new int[UnixSeqPacketSocket.MaxFileDescriptors];
            Assert.Equal(5, b.Receive(buffer, fds, out int fdCount, out PeerCredentials? sender));
            Assert.Equal("hello"u8.ToArray(), buffer[..5]);
            Assert.Equal(2, fdCount);
            Assert.Null(sender);
            Assert.NotEqual(firstFd, fds[0]); // new descriptors for the same files

            using var mappedFirst = SharedMemoryRegion.Map(FileDescriptor.Own(fds[0]), 4096);
            using var mappedSecond = SharedMemoryRegion.Map(FileDescriptor.Own(fds[1]), 8192);
            *(int*)first.Address = 1234;
            *(int*)(second.Address + 4100) = 5678;
            Assert.Equal(1234, *(int*)mappedFirst.Address);
            Assert.Equal(5678, *(int*)(mappedSecond.Address + 4100));
            Assert.Equal(SharedMemoryRegion.CreateSeals, SharedMemoryRegion.GetSeals(mappedFirst.Handle) & SharedMemoryRegion.CreateSeals);
        }
    }

    [Fact]
    public void ReceivedDescriptorsAreCloseOnExec()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        using (var region = SharedMemoryRegion.Create("wd-test", 4096))
        {
            a.Send([1], [(int)region.Handle.DangerousGetHandle()]);
            Span<int> fds = stackalloc int[1];
            Assert.Equal(1, b.Receive(new byte[8], fds, out int fdCount, out _));
            Assert.Equal(1, fdCount);
            using var received = FileDescriptor.Own(fds[0]);
            string fdinfo = File.ReadAllText($"/proc/self/fdinfo/{fds[0]}");
            int flags = Convert.ToInt32(fdinfo.Split('\n').First(l => l.StartsWith("flags:", StringComparison.Ordinal))[6..].Trim(), 8);
            Assert.NotEqual(0, flags & 0x80000); // O_CLOEXEC
        }
    }

    [Fact]
    public void ReceiveReturnsZeroAfterThePeerIsDisposed()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (b)
        {
            a.Send([7, 8, 9]);
            a.Dispose();
            a.Dispose();
            byte[] buffer = new byte[16];
            Assert.Equal(3, b.Receive(buffer, default, out _, out _)); // queued data first
            Assert.Equal(0, b.Receive(buffer, default, out int fdCount, out _));
            Assert.Equal(0, fdCount);
            Assert.Throws<PlatformException>(() => b.Send([1])); // EPIPE, no SIGPIPE
        }
    }

    [Fact]
    public void NonBlockingAndTimedReceiveReturnMinusOne()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        {
            Assert.False(b.IsNonBlocking);
            b.SetNonBlocking(true);
            Assert.True(b.IsNonBlocking);
            Assert.Equal(-1, b.Receive(new byte[8], default, out _, out _));

            b.SetNonBlocking(false);
            b.SetReceiveTimeout(TimeSpan.FromMilliseconds(30));
            var watch = Stopwatch.StartNew();
            Assert.Equal(-1, b.Receive(new byte[8], default, out _, out _));
            Assert.InRange(watch.ElapsedMilliseconds, 20, 2000);
        }
    }

    [Fact]
    public void SendRefusesMoreThanFourDescriptors()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        {
            Assert.Throws<ArgumentException>(() => a.Send([1], [0, 0, 0, 0, 0]));
        }
    }

    [Fact]
    public void PassCredentialsReportsTheSender()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        {
            b.EnablePassCredentials();
            a.Send([1, 2]);
            Assert.Equal(2, b.Receive(new byte[8], default, out _, out PeerCredentials? sender));
            Assert.NotNull(sender);
            Assert.Equal(Environment.ProcessId, sender.Value.Pid);
            Assert.Equal(ProcessControl.GetUid(), sender.Value.Uid);
        }
    }

    [Fact]
    public void ListenConnectAcceptAndPeerCredentials()
    {
        string path = TempSocketPath();
        File.WriteAllText(path, "stale"); // Listen replaces whatever was left at the path
        try
        {
            using var listener = UnixSeqPacketSocket.Listen(path, 8, 0x180); // 0600
            Assert.True(listener.IsNonBlocking);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Null(listener.TryAccept());

            using var client = UnixSeqPacketSocket.Connect(path);
            Assert.False(client.IsNonBlocking);
            using var server = listener.TryAccept();
            Assert.NotNull(server);
            Assert.True(server.IsNonBlocking);

            PeerCredentials peer = server.GetPeerCredentials();
            Assert.Equal(Environment.ProcessId, peer.Pid);
            Assert.Equal(ProcessControl.GetEUid(), peer.Uid);
            Assert.Equal(Environment.ProcessId, client.GetPeerCredentials().Pid);

            using var pidfd = server.TryGetPeerPidfd(); // Linux 6.5+; null before
            if (pidfd is not null)
            {
                Assert.False(Pidfd.HasExited(pidfd));
            }

            Assert.Equal(3, client.Send("abc"u8));
            byte[] buffer = new byte[8];
            Assert.Equal(3, server.Receive(buffer, default, out _, out _));
            Assert.Equal(-1, server.Receive(buffer, default, out _, out _)); // non-blocking: nothing more
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ConnectFailuresCarryErrnoAndPath()
    {
        string path = TempSocketPath();
        var e = Assert.Throws<PlatformException>(() => UnixSeqPacketSocket.Connect(path));
        Assert.Equal(Interop.Libc.ENOENT, e.Errno);
        Assert.Equal($"connect to '{path}' failed: ENOENT (No such file or directory)", e.Message);

        UnixSeqPacketSocket.Listen(path, 1, 0x1B6).Dispose(); // the file stays, nobody listens
        try
        {
            e = Assert.Throws<PlatformException>(() => UnixSeqPacketSocket.Connect(path));
            Assert.Equal(111, e.Errno); // ECONNREFUSED
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void PathsThatDoNotFitAreRejected()
    {
        string tooLong = "/tmp/" + new string('x', 103); // 108 bytes: one too many
        Assert.Throws<ArgumentException>(() => UnixSeqPacketSocket.Connect(tooLong));
        Assert.Throws<ArgumentException>(() => UnixSeqPacketSocket.Listen(tooLong, 1, 0x180));
        Assert.Throws<ArgumentException>(() => UnixSeqPacketSocket.Connect("/tmp/a\0b"));
        Assert.Throws<ArgumentException>(() => UnixSeqPacketSocket.Connect(""));
        var e = Assert.Throws<PlatformException>(() => UnixSeqPacketSocket.Connect("/tmp/" + new string('x', 102))); // 107: fits
        Assert.Equal(Interop.Libc.ENOENT, e.Errno);
    }

    internal static string TempSocketPath() => Path.Combine(Path.GetTempPath(), $"wd-{Guid.NewGuid():N}.sock");
}

/// <summary>Counts the process's open descriptors, so it runs alone.</summary>
[CollectionDefinition(nameof(DescriptorLeakTests), DisableParallelization = true)]
public sealed class DescriptorLeakCollection;

[Collection(nameof(DescriptorLeakTests))]
public class DescriptorLeakTests
{
    [Fact]
    public void ExtraDescriptorsAreClosedAndTheMessageRejected()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        using (var region = SharedMemoryRegion.Create("wd-test", 4096))
        {
            int fd = (int)region.Handle.DangerousGetHandle();
            int before = ProcessControl.OpenFdCount();
            Assert.Equal(2, a.Send([1, 2], [fd, fd, fd, fd]));
            Span<int> fds = stackalloc int[1];
            Assert.Equal(UnixSeqPacketSocket.Rejected, b.Receive(new byte[16], fds, out int fdCount, out _));
            Assert.Equal(0, fdCount);
            Assert.Equal(before, ProcessControl.OpenFdCount());

            // The next message is unaffected.
            Assert.Equal(1, a.Send([3], [fd]));
            Assert.Equal(1, b.Receive(new byte[16], fds, out fdCount, out _));
            Assert.Equal(1, fdCount);
            Assert.Equal(before + 1, ProcessControl.OpenFdCount());
            FileDescriptor.Close(fds[0]);
            Assert.Equal(before, ProcessControl.OpenFdCount());
        }
    }

    [Fact]
    public void ATruncatedMessageIsRejectedAndItsDescriptorsClosed()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        using (var region = SharedMemoryRegion.Create("wd-test", 4096))
        {
            int fd = (int)region.Handle.DangerousGetHandle();
            int before = ProcessControl.OpenFdCount();
            Assert.Equal(100, a.Send(new byte[100], [fd, fd]));
            Span<int> fds = stackalloc int[4];
            Assert.Equal(UnixSeqPacketSocket.Rejected, b.Receive(new byte[10], fds, out int fdCount, out _));
            Assert.Equal(0, fdCount);
            Assert.Equal(before, ProcessControl.OpenFdCount());
        }
    }
}
