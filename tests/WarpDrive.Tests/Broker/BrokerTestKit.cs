using System.Diagnostics;
using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Discovery;

namespace WarpDrive.Tests.Broker;

/// <summary>The classes that start real <c>wdd</c> processes run one at a time and alone (2 cores: timing
/// assertions such as the queue-release latency must not compete with the rest of the suite).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerProcessCollection
{
    public const string Name = "wdd processes";
}

/// <summary>Helpers shared by the broker's integration tests.</summary>
internal static class BrokerTestKit
{
    public static readonly TimeSpan CompletionTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Polls <paramref name="condition"/> every few milliseconds until it holds or <paramref name="timeout"/> passes.</summary>
    public static async Task<bool> EventuallyAsync(Func<bool> condition, TimeSpan timeout, int intervalMs = 5)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return condition();
            }

            await Task.Delay(intervalMs);
        }

        return true;
    }

    /// <summary>Publishes one SQE, rings the doorbell and waits for its CQE.</summary>
    public static Cqe Run(WdQueue queue, Sqe sqe)
    {
        Assert.True(queue.TrySend(in sqe), "submission ring full");
        queue.Flush();
        Assert.True(queue.TryReceive(out Cqe cqe, CompletionTimeout), $"no completion within {CompletionTimeout.TotalSeconds} s");
        Assert.Equal(sqe.UserData, cqe.UserData);
        return cqe;
    }

    /// <summary>A gzip block compression of [src, src+srcLen) into [dst, dst+dstLen).</summary>
    public static Sqe Compress(ulong tag, nint src, int srcLen, nint dst, int dstLen) => new()
    {
        UserData = tag,
        Opcode = Opcode.Compress,
        Algorithm = (byte)CompAlgorithm.Gzip,
        Level = 6,
        Src = (ulong)src,
        SrcLen = (uint)srcLen,
        Dst = (ulong)dst,
        DstLen = (uint)dstLen,
    };

    /// <summary>A gzip block compression from and into shared memory (always reachable by the device).</summary>
    public static Sqe Compress(ulong tag, WdSharedMemory src, int srcLen, WdSharedMemory dst) =>
        Compress(tag, src.Address, srcLen, dst.Address, dst.Length);

    public static byte[] Gunzip(ReadOnlySpan<byte> gzip)
    {
        using var z = new GZipStream(new MemoryStream(gzip.ToArray()), CompressionMode.Decompress);
        var back = new MemoryStream();
        z.CopyTo(back);
        return back.ToArray();
    }

    public static ReadOnlySpan<byte> Span(WdSharedMemory memory, int length) => memory.GetSpan()[..length];

    /// <summary>Compresses <paramref name="data"/> through <paramref name="queue"/> with both buffers in fresh shared
    /// memory, and checks that the output decompresses to it: the queue (and the device) still serve.</summary>
    public static void AssertRoundTrip(WdRuntime runtime, WdQueue queue, byte[] data, ulong tag = 0x5157)
    {
        using WdSharedMemory src = runtime.ReserveMemory(data.Length);
        using WdSharedMemory dst = runtime.ReserveMemory(data.Length + 4096);
        data.CopyTo(src.GetSpan());
        Cqe cqe = Run(queue, Compress(tag, src, data.Length, dst));
        Assert.Equal(CompletionStatus.Ok, cqe.Status);
        Assert.Equal(data, Gunzip(Span(dst, (int)cqe.Produced)));
    }

    /// <summary>A queue opened the way <see cref="WdRuntime.RequestQueue(string)"/> opens one, keeping what WdQueue does
    /// not expose: the region, so that a test can write what a hostile client would (status word, cq_head, seq words).</summary>
    public static WdQueue OpenQueueWithRegion(BrokerProcess broker, string device, out QueueRegion region)
    {
        using var devices = new BrokerDevices(broker.RunDirectory);
        WdDeviceInfo info = devices.GetDevices().Single(d => d.Name == device);
        Assert.True(devices.TryOpenQueue(info, out QueueTransport? transport, wait: false, CancellationToken.None), $"{device} has no free queue");
        var queue = new WdQueue(transport);
        Assert.True(QueueRegion.TryOpen(transport.RegionBase, transport.RegionSize, out region, out string? error), error);
        return queue;
    }

    /// <summary>A raw control connection to a device (the internal client end of the protocol).</summary>
    public static BrokerConnection Connect(BrokerProcess broker, string device = "zip-0") =>
        BrokerConnection.Open(broker.SocketPath(device), device);

    public static BrokerResponse Call(BrokerConnection connection, BrokerOp op, ulong arg0 = 0, ulong arg1 = 0) =>
        connection.Call(new BrokerRequest { Op = op, Arg0 = arg0, Arg1 = arg1 }, out _, out _);

    public static BrokerResponse Call(BrokerConnection connection, BrokerOp op, out Microsoft.Win32.SafeHandles.SafeFileHandle? fd, out string? message, ulong arg0 = 0, ulong arg1 = 0) =>
        connection.Call(new BrokerRequest { Op = op, Arg0 = arg0, Arg1 = arg1 }, out fd, out message);

    /// <summary>Runs a program to its end (at most 2 minutes); its stdout goes to <paramref name="stdoutFile"/> when named.</summary>
    public static async Task<(int Code, string Stderr)> RunProgramAsync(string file, IEnumerable<string> args, string? stdoutFile = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        using Process p = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Task<string> stderr = p.StandardError.ReadToEndAsync(timeout.Token);
        if (stdoutFile is null)
        {
            await p.StandardOutput.BaseStream.CopyToAsync(Stream.Null, timeout.Token);
        }
        else
        {
            await using FileStream sink = File.Create(stdoutFile);
            await p.StandardOutput.BaseStream.CopyToAsync(sink, timeout.Token);
        }

        await p.WaitForExitAsync(timeout.Token);
        return (p.ExitCode, await stderr);
    }

    /// <summary>A pinned managed buffer's address (pinned object heap: it never moves).</summary>
    public static unsafe nint Address(byte[] pinned)
    {
        fixed (byte* p = pinned)
        {
            return (nint)p;
        }
    }
}
