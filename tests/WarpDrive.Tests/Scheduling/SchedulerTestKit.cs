using System.IO.Compression;
using WarpDrive.Compression;
using WarpDrive.Devices;

namespace WarpDrive.Tests.Scheduling;

/// <summary>In-process runtimes and per-queue request counts (the device's own counters) for the scheduler tests.</summary>
internal static class SchedulerTestKit
{
    public static WdRuntime Runtime(int queues = 16, int depth = 64, bool polling = true) => new(new WdRuntimeOptions
    {
        MixMode = false, // requests go to the device under test, not to Mix mode's inline one
        Mode = WdDeviceMode.Local,
        BackgroundPolling = polling,
        EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = queues, QueueDepth = depth, WorkerCount = 2 },
    });

    /// <summary>Requests each queue of <paramref name="host"/> has taken so far.</summary>
    public static ulong[] Submitted(DeviceHost host) =>
        [.. Enumerable.Range(0, host.Options.QueueCount).Select(i => host.GetQueueStats(i).Submitted)];

    /// <summary>Queue id to requests taken between two snapshots, for the queues that took any.</summary>
    public static Dictionary<int, ulong> Delta(ulong[] before, ulong[] after) =>
        Enumerable.Range(0, before.Length).Where(i => after[i] != before[i]).ToDictionary(i => i, i => after[i] - before[i]);

    public static byte[] Compress(CompressionSession session, byte[] input)
    {
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(input.Length)];
        CompressionResult r = session.Process(input, output);
        Assert.Equal(Abi.CompletionStatus.Ok, r.Status);
        return output[..r.Produced];
    }

    public static byte[] Gunzip(ReadOnlySpan<byte> gzip)
    {
        using var z = new GZipStream(new MemoryStream(gzip.ToArray()), CompressionMode.Decompress);
        var back = new MemoryStream();
        z.CopyTo(back);
        return back.ToArray();
    }
}
