using System.Diagnostics;
using System.Runtime.InteropServices;
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
            Assert.True(a.TrySend("hello"u8, [first.Handle, second.Handle]));

            byte[] buffer = new byte[64];
            int[] fds = new int[UnixSeqPacketSocket.MaxFileDescriptors];
            Assert.Equal(ReceiveStatus.Message, b.Receive(buffer, fds, out int length, out int fdCount, out PeerCredentials? sender));
            Assert.Equal(5, length);
            Assert.Equal("hello"u8.ToArray(), buffer[..5]);
            Assert.Equal(2, fdCount);
            Assert.Null(sender);
            Assert.NotEqual(first.Handle.DangerousGetHandle(), fds[0]); // new descriptors for the same files

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
            a.Send([1], [region.Handle]);
            Span<int> fds = stackalloc int[1];
            Assert.Equal(ReceiveStatus.Message, b.Receive(new byte[8], fds, out _, out int fdCount, out _));
            Assert.Equal(1, fdCount);
            using var received = FileDescriptor.Own(fds[0]);
            string fdinfo = File.ReadAllText($"/proc/self/fdinfo/{fds[0]}");
            int flags = Convert.ToInt32(fdinfo.Split('\n').First(l => l.StartsWith("flags:", StringComparison.Ordinal))[6..].Trim(), 8);
            Assert.NotEqual(0, flags & 0x80000); // O_CLOEXEC
        }
    }

    [Fact]
    public void ReceiveReportsEndOfStreamAfterThePeerIsDisposed()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (b)
        {
            a.Send([7, 8, 9]);
            a.Dispose();
            a.Dispose();
            byte[] buffer = new byte[16];
            Assert.Equal(ReceiveStatus.Message, b.Receive(buffer, default, out int length, out _, out _)); // queued data first
            Assert.Equal(3, length);
            Assert.Equal(ReceiveStatus.EndOfStream, b.Receive(buffer, default, out length, out int fdCount, out _));
            Assert.Equal(0, length);
            Assert.Equal(0, fdCount);
            Assert.Throws<PlatformException>(() => b.Send([1])); // EPIPE, no SIGPIPE
        }
    }

    [Fact]
    public void NonBlockingAndTimedReceiveReportWouldBlock()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        {
            Assert.False(b.IsNonBlocking);
            b.SetNonBlocking(true);
            Assert.True(b.IsNonBlocking);
            Assert.Equal(ReceiveStatus.WouldBlock, b.Receive(new byte[8], default, out int length, out _, out _));
            Assert.Equal(0, length);

            b.SetNonBlocking(false);
            b.SetReceiveTimeout(TimeSpan.FromMilliseconds(30));
            var watch = Stopwatch.StartNew();
            Assert.Equal(ReceiveStatus.WouldBlock, b.Receive(new byte[8], default, out _, out _, out _));
            Assert.InRange(watch.ElapsedMilliseconds, 20, 2000);

            // A message that arrives later is received whole.
            a.Send([5, 6]);
            Assert.Equal(ReceiveStatus.Message, b.Receive(new byte[8], default, out length, out _, out _));
            Assert.Equal(2, length);
        }
    }

    [Fact]
    public void TrySendReportsAFullBufferAndSendThrowsEagain()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        {
            a.SetNonBlocking(true);
            byte[] message = new byte[1024];
            int sent = 0;
            while (a.TrySend(message))
            {
                sent++;
                Assert.InRange(sent, 1, 1_000_000); // the buffer fills long before
            }

            Assert.True(sent > 0);
            Assert.Equal(Interop.Libc.EAGAIN, Assert.Throws<PlatformException>(() => a.Send(message)).Errno);

            // Reading makes room again; the messages queued so far arrive whole, none lost to the refused ones.
            byte[] buffer = new byte[2048];
            Assert.Equal(ReceiveStatus.Message, b.Receive(buffer, default, out int length, out _, out _));
            Assert.Equal(1024, length);
            Assert.True(SpinWait.SpinUntil(() => a.TrySend(message), TimeSpan.FromSeconds(5)));
            b.SetNonBlocking(true);
            int received = 1;
            while (b.Receive(buffer, default, out length, out _, out _) == ReceiveStatus.Message)
            {
                Assert.Equal(1024, length);
                received++;
            }

            Assert.Equal(sent + 1, received);
        }
    }

    [Fact]
    public void SendRefusesMoreThanFourDescriptors()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        {
            SafeHandle h = a.Handle;
            Assert.Throws<ArgumentException>(() => a.Send([1], [h, h, h, h, h]));
            Assert.Throws<ArgumentException>(() => a.TrySend([1], [h, h, h, h, h]));
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
            Assert.Equal(ReceiveStatus.Message, b.Receive(new byte[8], default, out int length, out _, out PeerCredentials? sender));
            Assert.Equal(2, length);
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
            Assert.False(listener.TryAccept(out UnixSeqPacketSocket? none));
            Assert.Null(none);

            using var client = UnixSeqPacketSocket.Connect(path);
            Assert.False(client.IsNonBlocking);
            Assert.True(listener.TryAccept(out UnixSeqPacketSocket? accepted));
            using UnixSeqPacketSocket server = accepted;
            Assert.True(server.IsNonBlocking);

            PeerCredentials peer = server.GetPeerCredentials();
            Assert.Equal(Environment.ProcessId, peer.Pid);
            Assert.Equal(ProcessControl.GetEUid(), peer.Uid);
            Assert.Equal(Environment.ProcessId, client.GetPeerCredentials().Pid);

            if (server.TryGetPeerPidfd(out var pidfd)) // Linux 6.5+; false before
            {
                using (pidfd)
                {
                    Assert.False(Pidfd.HasExited(pidfd));
                }
            }
            else
            {
                Assert.Null(pidfd);
            }

            Assert.True(client.TrySend("abc"u8));
            byte[] buffer = new byte[8];
            Assert.Equal(ReceiveStatus.Message, server.Receive(buffer, default, out int length, out _, out _));
            Assert.Equal(3, length);
            Assert.Equal(ReceiveStatus.WouldBlock, server.Receive(buffer, default, out _, out _, out _)); // non-blocking: nothing more
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
            // A child that a test running beside this one forks holds every descriptor, the listener's too, until its
            // exec closes them (close-on-exec); a connect in that window succeeds. Under qemu-user (the arm64 leg) the
            // window is long enough to be hit: connect again until the listener is gone from every process.
            e = RefusedConnect(path);
            Assert.Equal(111, e.Errno); // ECONNREFUSED
            Assert.Contains(path, e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static PlatformException RefusedConnect(string path)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                UnixSeqPacketSocket.Connect(path).Dispose();
            }
            catch (PlatformException refused)
            {
                return refused;
            }

            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "connect to a closed listener's path still succeeds after 10 s");
            Thread.Sleep(20);
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
            SafeHandle h = region.Handle;
            int before = ProcessControl.OpenFdCount();
            a.Send([1, 2], [h, h, h, h]);
            Span<int> fds = stackalloc int[1];
            Assert.Equal(ReceiveStatus.Rejected, b.Receive(new byte[16], fds, out int length, out int fdCount, out _));
            Assert.Equal(0, length);
            Assert.Equal(0, fdCount);
            Assert.Equal(-1, fds[0]);
            Assert.Equal(before, ProcessControl.OpenFdCount());

            // The next message is unaffected.
            a.Send([3], [h]);
            Assert.Equal(ReceiveStatus.Message, b.Receive(new byte[16], fds, out length, out fdCount, out _));
            Assert.Equal(1, length);
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
            int before = ProcessControl.OpenFdCount();
            a.Send(new byte[100], [region.Handle, region.Handle]);
            Span<int> fds = stackalloc int[4];
            Assert.Equal(ReceiveStatus.Rejected, b.Receive(new byte[10], fds, out int length, out int fdCount, out _));
            Assert.Equal(0, length);
            Assert.Equal(0, fdCount);
            Assert.Equal(before, ProcessControl.OpenFdCount());

            // A message that fits is received: the truncated one was consumed, not left in the queue.
            a.Send([9]);
            Assert.Equal(ReceiveStatus.Message, b.Receive(new byte[10], fds, out length, out fdCount, out _));
            Assert.Equal(1, length);
            Assert.Equal(0, fdCount);
        }
    }

    [Fact]
    public void SendWithAClosedHandleSendsNothingAndReleasesTheHandlesItHeld()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        using (var open = SharedMemoryRegion.Create("wd-open", 4096))
        using (var closed = SharedMemoryRegion.Create("wd-closed", 4096))
        {
            closed.CloseHandle();
            b.SetNonBlocking(true);
            int before = ProcessControl.OpenFdCount();
            Assert.Throws<ObjectDisposedException>(() => a.Send([1], [open.Handle, closed.Handle]));
            Assert.Throws<ArgumentNullException>(() => a.Send([1], [open.Handle, null!]));
            Assert.Equal(ReceiveStatus.WouldBlock, b.Receive(new byte[8], default, out _, out _, out _));

            // Had a reference been kept on the open handle, closing it would leave the descriptor open.
            open.CloseHandle();
            Assert.Equal(before - 1, ProcessControl.OpenFdCount());
        }
    }
}
