using System.Buffers;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Crypto;
using WarpDrive.Diagnostics;
using WarpDrive.Tests.Broker;

namespace WarpDrive.Tests.Stress;

/// <summary>Every asynchronous request ends exactly once, and no wake-up is lost on the way: the library's async paths
/// (block and stream compression, ValueTasks and callbacks, AES-GCM) on in-process devices and on a broker's SHARE
/// devices, in bursts of small requests up to past the queue depth, each burst followed by an idle gap of a random
/// length, so that the engines and the poller go to sleep and are woken again thousands of times. A watchdog fails
/// the test with every thread's stack instead of hanging it, and the meter's late reaps (completions that only a
/// sleep's timeout found: docs/ARCHITECTURE.md, "Sleeping and waking") must stay 0.</summary>
[Trait(Tiers.Name, Tiers.Reliability)]
[Collection(StressCollection.Name)]
public sealed class CompletionStressTests
{
    private const string ShareConfig = """
        { "devices": [
            { "name": "zip-0", "memory": "share", "queues": 8, "queue_depth": 64, "workers": 2 },
            { "name": "sec-0", "model": "sec", "memory": "share", "queues": 8, "queue_depth": 64, "workers": 2 } ] }
        """;

    // Gaps between bursts: none (a poller still polling), shorter and longer than the engines' spin (50 us) and the
    // poller's (20 us), and long enough for the poller's idle sleep and every engine's doorbell sleep.
    private static readonly TimeSpan[] s_gaps =
    [
        TimeSpan.Zero, TimeSpan.FromMicroseconds(10), TimeSpan.FromMicroseconds(80), TimeSpan.FromMicroseconds(300),
        TimeSpan.FromMilliseconds(2), TimeSpan.FromMilliseconds(15),
    ];

    [Fact]
    public void InProcessDevices()
    {
        using var runtime = new WdRuntime(new WdRuntimeOptions
        {
            MixMode = false, // requests go to the device under test, not to Mix mode's inline one
            Mode = WdDeviceMode.Local,
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 8, QueueDepth = 64, WorkerCount = 2 },
        });
        Run("in-process", runtime, length => new byte[length]);
    }

    [Fact]
    public async Task BrokerShareDevices()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(ShareConfig);
        using WdRuntime runtime = broker.CreateRuntime();
        var regions = new List<WdSharedMemory>();
        try
        {
            // SHARE: the engines read and write the buffers in place, so they all come from the broker's regions.
            Run("broker SHARE", runtime, length =>
            {
                WdSharedMemory region = runtime.ReserveMemory(length);
                lock (regions)
                {
                    regions.Add(region);
                }

                return region.Memory;
            });
        }
        finally
        {
            regions.ForEach(r => r.Dispose());
        }
    }

    private static void Run(string where, WdRuntime runtime, Func<int, Memory<byte>> allocate)
    {
        TimeSpan budget = StressSettings.Budget(TimeSpan.FromSeconds(12));
        var progress = new Progress();
        using var late = new LateReapCounter();
        StallWatchdog.Run($"the async paths on {where} devices", budget + TimeSpan.FromSeconds(60), () =>
        {
            long until = Environment.TickCount64 + (long)budget.TotalMilliseconds;
            Task[] workloads =
            [
                Task.Run(() => BlockCompression(runtime, allocate, until, progress, seed: 1)),
                Task.Run(() => StreamCompression(runtime, allocate, until, progress, seed: 2)),
                Task.Run(() => Aead(runtime, allocate, until, progress, seed: 3)),
            ];
            Task.WaitAll(workloads);
        }, progress.ToString);

        Assert.True(progress.Bursts > 100, $"only {progress}");
        Assert.True(late.Total == 0, $"{late.Total} completions were found only by a sleep's timeout (lost wake-ups): {late.Tags}");
    }

    /// <summary>Block-mode gzip of 1-4 KB pieces: ValueTasks and callbacks, bursts of 1 to 96 (past the context's 64
    /// slots, so that submitters also wait for a slot), every result checked against the runtime's decompressor.</summary>
    private static async Task BlockCompression(WdRuntime runtime, Func<int, Memory<byte>> allocate, long until, Progress progress, int seed)
    {
        const int most = 96, pieceMax = 4096;
        var random = new Random(seed);
        using var session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Level = 1 }, runtime);
        Memory<byte> inputs = allocate(most * pieceMax);
        Memory<byte> outputs = allocate(most * CompressionSession.GetMaxCompressedLength(pieceMax));
        int outputMax = CompressionSession.GetMaxCompressedLength(pieceMax);
        TestData.Text(inputs.Length, seed).CopyTo(inputs.Span);
        var pending = new ValueTask<CompressionResult>[most];
        var results = new CompressionResult[most];
        var calls = new int[most];
        CompressionCallback done = (in CompressionResult r, object? state) =>
        {
            int i = (int)state!;
            results[i] = r;
            Interlocked.Increment(ref calls[i]);
        };

        while (Environment.TickCount64 < until)
        {
            int n = random.Next(1, most + 1);
            int[] lengths = [.. Enumerable.Range(0, n).Select(_ => random.Next(1024, pieceMax + 1))];
            bool callbacks = random.Next(2) == 0;
            Array.Clear(calls);
            for (int i = 0; i < n; i++)
            {
                ReadOnlyMemory<byte> input = inputs.Slice(i * pieceMax, lengths[i]);
                Memory<byte> output = outputs.Slice(i * outputMax, outputMax);
                if (callbacks)
                {
                    await session.SubmitAsync(input, output, done, i);
                }
                else
                {
#pragma warning disable CA2012 // stored on purpose: each is awaited exactly once below
                    pending[i] = session.ProcessAsync(input, output);
#pragma warning restore CA2012
                }
            }

            for (int i = 0; i < n; i++)
            {
                if (callbacks)
                {
                    while (Volatile.Read(ref calls[i]) == 0)
                    {
                        await Task.Delay(1);
                    }
                }
                else
                {
                    results[i] = await pending[i];
                }
            }

            for (int i = 0; i < n; i++)
            {
                Assert.True(!callbacks || calls[i] == 1, $"request {i} of a burst of {n} completed {calls[i]} times");
                Assert.Equal(CompletionStatus.Ok, results[i].Status);
                Assert.Equal(inputs.Slice(i * pieceMax, lengths[i]).ToArray(),
                    RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, outputs.Span.Slice(i * outputMax, results[i].Produced)));
            }

            progress.Count(n);
            await Gap(random);
        }
    }

    /// <summary>Stream-mode gzip (history on the device across requests): a member of 1 to 24 small pieces per burst,
    /// each an async request, the last one ending the member; the member must gunzip to the pieces.</summary>
    private static async Task StreamCompression(WdRuntime runtime, Func<int, Memory<byte>> allocate, long until, Progress progress, int seed)
    {
        const int most = 24, pieceMax = 2048;
        var random = new Random(seed);
        Memory<byte> input = allocate(most * pieceMax);
        Memory<byte> output = allocate(CompressionSession.GetMaxCompressedLength(most * pieceMax) + (most * 64));
        TestData.Text(input.Length, seed).CopyTo(input.Span);
        while (Environment.TickCount64 < until)
        {
            using var session = new CompressionSession(new CompressionSessionOptions
            {
                Algorithm = CompressionAlgorithm.Gzip,
                Level = 1,
                Mode = SessionMode.Stream,
            }, runtime);
            int n = random.Next(1, most + 1), taken = 0, produced = 0;
            for (int i = 0; i < n; i++)
            {
                int length = random.Next(64, pieceMax + 1);
                CompressionResult r = await session.ProcessAsync(input.Slice(taken, length), output[produced..], last: i == n - 1);
                Assert.Equal(CompletionStatus.Ok, r.Status);
                Assert.Equal(length, r.Consumed);
                taken += length;
                produced += r.Produced;
            }

            Assert.Equal(input[..taken].ToArray(), RuntimeCodecs.Decompress(CompressionAlgorithm.Gzip, output.Span[..produced]));
            progress.Count(n);
            await Gap(random);
        }
    }

    /// <summary>AES-128-GCM of 16-1024 byte messages in bursts of 1 to 96, checked against the runtime's AesGcm.</summary>
    private static async Task Aead(WdRuntime runtime, Func<int, Memory<byte>> allocate, long until, Progress progress, int seed)
    {
        const int most = 96, messageMax = 1024;
        var random = new Random(seed);
        byte[] key = RandomNumberGenerator.GetBytes(16);
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, runtime: runtime);
        using var reference = new AesGcm(key, 16);
        Memory<byte> messages = allocate(most * messageMax);
        Memory<byte> sealeds = allocate(most * (messageMax + 16));
        Memory<byte> nonces = allocate(most * 12);
        RandomNumberGenerator.Fill(messages.Span);
        RandomNumberGenerator.Fill(nonces.Span);
        var pending = new ValueTask<int>[most];
        byte[] opened = new byte[messageMax];
        while (Environment.TickCount64 < until)
        {
            int n = random.Next(1, most + 1);
            int[] lengths = [.. Enumerable.Range(0, n).Select(_ => random.Next(16, messageMax + 1))];
            for (int i = 0; i < n; i++)
            {
#pragma warning disable CA2012 // stored on purpose: each is awaited exactly once below
                pending[i] = session.EncryptAsync(nonces.Slice(i * 12, 12), messages.Slice(i * messageMax, lengths[i]),
                    sealeds.Slice(i * (messageMax + 16), lengths[i] + 16));
#pragma warning restore CA2012
            }

            for (int i = 0; i < n; i++)
            {
                Assert.Equal(lengths[i] + 16, await pending[i]);
                ReadOnlySpan<byte> sealedMessage = sealeds.Span.Slice(i * (messageMax + 16), lengths[i] + 16);
                reference.Decrypt(nonces.Span.Slice(i * 12, 12), sealedMessage[..lengths[i]], sealedMessage[lengths[i]..], opened.AsSpan(0, lengths[i]));
                Assert.True(opened.AsSpan(0, lengths[i]).SequenceEqual(messages.Span.Slice(i * messageMax, lengths[i])));
            }

            progress.Count(n);
            await Gap(random);
        }
    }

    private static async Task Gap(Random random)
    {
        TimeSpan gap = s_gaps[random.Next(s_gaps.Length)];
        if (gap >= TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(gap);
        }
        else
        {
            long until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(gap.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
            while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(10);
            }
        }
    }

    private sealed class Progress
    {
        private long _bursts;
        private long _requests;

        public long Bursts => Interlocked.Read(ref _bursts);

        public void Count(int requests)
        {
            Interlocked.Increment(ref _bursts);
            Interlocked.Add(ref _requests, requests);
        }

        public override string ToString() => $"{Bursts} bursts, {Interlocked.Read(ref _requests)} requests completed";
    }

    /// <summary>Sums <see cref="WdMetrics.LateReapsName"/> while it lives (only that instrument: the requests themselves
    /// run unobserved, as in a service).</summary>
    private sealed class LateReapCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _total;
        private string _tags = "";

        public LateReapCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == WdMetrics.MeterName && instrument.Name == WdMetrics.LateReapsName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                Interlocked.Add(ref _total, value);
                _tags = string.Join(", ", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            });
            _listener.Start();
        }

        public long Total => Interlocked.Read(ref _total);

        public string Tags => _tags;

        public void Dispose() => _listener.Dispose();
    }
}
