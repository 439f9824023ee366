using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Devices;

namespace WarpDrive.Tests;

/// <summary>A request that makes the device's library throw is that request's failure, never a device fault: with
/// isolate_strategy 1 a client sends many of them and the device stays in service for it and for others
/// (issue 19: "a hostile client cannot isolate a shared device by any request it can build").</summary>
public sealed class RequestFailureTests
{
    /// <summary>A model that trusts what it should not: it hands the client's <c>Arg</c> to the runtime's AES-GCM as the
    /// key length (the library throws for any length but 16, 24 or 32), and dereferences null when <c>Arg</c> is
    /// <see cref="Bug"/> (a bug of the model itself, reached by a request).</summary>
    private sealed class TrustingModel : DeviceModel
    {
        public const uint Bug = 0xB06;

        public override string Name => "trusting-0";

        public override DeviceFlags Flags => DeviceFlags.Sva | DeviceFlags.Share;

        public override IReadOnlyList<string> Algorithms => ["trust"];

        internal override void Execute(in Sqe sqe, HardwareQueue queue, object? engineState, ref Cqe cqe)
        {
            if (sqe.Arg == Bug)
            {
                string? missing = sqe.UserData == 0 ? "never" : null;
                cqe.Produced = (uint)missing!.Length; // throws NullReferenceException
            }

            cqe.Produced = 1234; // a failed request must not report this
            using var gcm = new AesGcm(new byte[sqe.Arg], 16);
            cqe.Status = CompletionStatus.Ok;
            cqe.Produced = 0;
        }
    }

    [Fact]
    public void AHandlerThatThrowsIsCountedAndTheWorkerKeepsServing()
    {
        // Handlers run on the worker: one that throws must not end the thread that serves every queue of the device.
        using var host = new DeviceHost(new TrustingModel(), new DeviceHostOptions { QueueCount = 2, WorkerCount = 1, QueueErrorThreshold = 3 });
        int calls = 0;
        host.RequestFailed += (_, _) => throw new InvalidOperationException("a broken RequestFailed handler");
        host.RequestFailed += (_, _) => calls++; // a later handler still runs
        host.QueueDisabled += (_, _) => throw new InvalidOperationException("a broken QueueDisabled handler");
        HardwareQueue failingQueue = host.AllocateQueue(new Domain());
        HardwareQueue otherQueue = host.AllocateQueue(new Domain());
        var failing = new RawRing(failingQueue.RegionBase, failingQueue.RegionSize);
        var other = new RawRing(otherQueue.RegionBase, otherQueue.RegionSize);

        Assert.Equal(CompletionStatus.InternalError, failing.Exchange(new Sqe { UserData = 1, Opcode = (Opcode)0x60, Arg = 7 }).Status);
        Assert.Equal(CompletionStatus.Ok, other.Exchange(new Sqe { UserData = 2, Opcode = (Opcode)0x60, Arg = 16 }).Status);
        Assert.Equal(1, calls);
        Assert.Equal(1, host.HandlerFailureCount);
        Assert.Equal("InvalidOperationException: a broken RequestFailed handler", host.LastHandlerFailure);

        // Invalid descriptors (a non-zero reserved field) up to the threshold: the device disables the queue and
        // raises QueueDisabled, whose handler throws too.
        failing.Submit(
            new Sqe { UserData = 10, Opcode = (Opcode)0x60, Reserved0 = 1 },
            new Sqe { UserData = 11, Opcode = (Opcode)0x60, Reserved0 = 1 },
            new Sqe { UserData = 12, Opcode = (Opcode)0x60, Reserved0 = 1 });

        Assert.True(SpinWait.SpinUntil(() => failing.State == QueueState.Disabled, TimeSpan.FromSeconds(10)), "the queue was not disabled");
        Assert.True(SpinWait.SpinUntil(() => host.HandlerFailureCount == 2, TimeSpan.FromSeconds(10)), $"handler failures: {host.HandlerFailureCount}");
        Assert.Equal(CompletionStatus.Ok, other.Exchange(new Sqe { UserData = 3, Opcode = (Opcode)0x60, Arg = 32 }).Status);
    }

    [Fact]
    public void ExceptionsFromARequestFailItAloneAndNeverIsolateTheDevice()
    {
        int raised = 0;
        Exception? lastRaised = null;
        using var host = new DeviceHost(new TrustingModel(), new DeviceHostOptions { QueueCount = 3, WorkerCount = 1, IsolateStrategy = 1, QueueErrorThreshold = 4 });
        host.RequestFailed += (_, e) => (raised, lastRaised) = (raised + 1, e);
        HardwareQueue hostileQueue = host.AllocateQueue(new Domain());
        HardwareQueue otherQueue = host.AllocateQueue(new Domain());
        var hostile = new RawRing(hostileQueue.RegionBase, hostileQueue.RegionSize);
        var other = new RawRing(otherQueue.RegionBase, otherQueue.RegionSize);

        // Fifty of each, far beyond isolate_strategy (1 per hour) and the queue's error threshold (4).
        for (int i = 0; i < 100; i++)
        {
            uint arg = i % 2 == 0 ? 7u : TrustingModel.Bug;
            Cqe cqe = hostile.Exchange(new Sqe { UserData = (ulong)i + 1, Opcode = (Opcode)0x60, Arg = arg });
            Assert.Equal(CompletionStatus.InternalError, cqe.Status);
            Assert.Equal(0u, cqe.Produced);
            Assert.Equal(0u, cqe.Consumed);
        }

        Assert.False(host.IsIsolated);
        Assert.Equal("0", host.GetAttributes()[DeviceAttributeNames.Isolate]);
        Assert.Equal(0, host.FaultCount);
        Assert.Equal(100, host.RequestFailureCount);
        Assert.Equal(100, raised);
        Assert.IsType<NullReferenceException>(lastRaised);
        Assert.StartsWith(nameof(NullReferenceException), host.LastRequestFailure, StringComparison.Ordinal);
        Assert.Equal(100u, host.GetQueueStats(hostileQueue.Id).Errors); // the queue's own counters show them

        // The hostile client's queue is neither disabled nor isolated: its next valid request is served, as are
        // another client's, and the device still hands out queues.
        Assert.Equal(QueueState.Started, hostile.State);
        Assert.Equal(CompletionStatus.Ok, hostile.Exchange(new Sqe { UserData = 1000, Opcode = (Opcode)0x60, Arg = 16 }).Status);
        Assert.Equal(CompletionStatus.Ok, other.Exchange(new Sqe { UserData = 1, Opcode = (Opcode)0x60, Arg = 32 }).Status);
        Assert.Equal(QueueState.Started, other.State);
        Assert.True(host.TryAllocateQueue(new Domain(), out HardwareQueue? third));
        host.ReleaseQueue(third);
    }

    [Fact]
    public void InjectedFaultsAreStillDeviceFaults()
    {
        // The other side of the rule: a failure of the device's own (fault_injection) counts and isolates.
        using var host = new DeviceHost(new TrustingModel(), new DeviceHostOptions { QueueCount = 1, WorkerCount = 1, IsolateStrategy = 1, FaultInjectionInterval = 1 });
        HardwareQueue queue = host.AllocateQueue(new Domain());
        var ring = new RawRing(queue.RegionBase, queue.RegionSize);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(CompletionStatus.InternalError, ring.Exchange(new Sqe { UserData = (ulong)i + 1, Opcode = (Opcode)0x60, Arg = 16 }).Status);
        }

        Assert.True(host.IsIsolated);
        Assert.Equal(2, host.FaultCount);
        Assert.Equal(0, host.RequestFailureCount);
    }
}
