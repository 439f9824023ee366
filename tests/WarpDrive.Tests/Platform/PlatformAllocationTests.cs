using WarpDrive.Platform;

namespace WarpDrive.Tests.Platform;

public unsafe class PlatformAllocationTests
{
    [Fact]
    public void PerRequestCallsAllocateNothing()
    {
        var (a, b) = UnixSeqPacketSocket.CreatePair();
        using (a)
        using (b)
        using (var region = SharedMemoryRegion.Create("wd-alloc", 4096))
        using (var epoll = new Epoll())
        {
            b.EnablePassCredentials();
            epoll.Add(b.Handle, EpollEvents.In, 1);
            int pid = Environment.ProcessId;
            uint* word = (uint*)region.Address;
            int failures = Run(10);

            // The quietest of up to five windows: under stress-ng one window once saw 6,896 bytes of one-time work.
            long allocated = long.MaxValue;
            for (int window = 0; window < 5 && allocated != 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                failures += Run(1000);
                allocated = Math.Min(allocated, GC.GetAllocatedBytesForCurrentThread() - before);
            }

            Assert.Equal(0, failures);
            Assert.Equal(0, allocated);

            int Run(int iterations)
            {
                // No Assert inside the measured loop: xunit's comparers allocate.
                int bad = 0;
                Span<byte> message = stackalloc byte[32];
                Span<int> fds = stackalloc int[UnixSeqPacketSocket.MaxFileDescriptors];
                Span<EpollEvent> events = stackalloc EpollEvent[4];
                Span<FutexWaiter> waiters = [FutexWaiter.Create((nint)word, 1)];
                ulong local = 0;
                for (int i = 0; i < iterations; i++)
                {
                    bad += a.TrySend(message, [region.Handle]) ? 0 : 1;
                    bad += epoll.Wait(events, 0) == 1 ? 0 : 1;
                    bad += b.Receive(message, fds, out int length, out int count, out PeerCredentials? sender) == ReceiveStatus.Message
                        && length == 32 && count == 1 && sender?.Pid == pid ? 0 : 1;
                    FileDescriptor.Close(fds[0]);
                    bad += ProcessMemory.TryRead(pid, (ulong)region.Address, &local, sizeof(ulong)) ? 0 : 1;
                    bad += ProcessMemory.TryWrite(pid, (ulong)region.Address + 8, &local, sizeof(ulong)) ? 0 : 1;
                    bad += Futex.TryWaitAny(waiters, TimeSpan.FromSeconds(1), out _) ? 1 : 0; // the word is 0, not 1: EAGAIN
                    bad += Futex.Wake((nint)word) == 0 ? 0 : 1;
                }

                return bad;
            }
        }
    }
}
