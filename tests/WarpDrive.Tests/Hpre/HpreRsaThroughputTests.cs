using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using WarpDrive.Abi;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Hpre;

/// <summary>RSA-2048 PKCS#1 v1.5 signing through the queue against the runtime's RSA.SignHash on one thread. The
/// target: two engines reach at least 1.8 times one direct thread. A measurement on a quiet machine, so it runs only
/// with <c>WD_HPRE_PERF=1</c> (the default run only checks that the pipelined signatures are right).</summary>
public sealed class HpreRsaThroughputTests(ITestOutputHelper output)
{
    private const int InFlight = 8;

    [Fact]
    public void TwoEnginesSignAtLeast1Point8TimesOneThread()
    {
        bool measure = Environment.GetEnvironmentVariable("WD_HPRE_PERF") == "1";
        int count = measure ? 2000 : 64;
        using var rsa = RSA.Create(2048);
        byte[] blob = RsaBlob.From(rsa.ExportParameters(true), RsaKeyFormat.PrivateCrt);
        byte[] hash = SHA256.HashData("throughput"u8);
        byte[] expected = rsa.SignHash(hash, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

        using var hq = new HpreQueue(engines: 2);
        WdQueue[] queues = [hq.Queue, hq.OpenAnother()];
        var parameters = new CryptoParams { Key = hq.Put(blob), KeyLen = (uint)blob.Length };
        ulong block = hq.Put(MemoryMarshal.AsBytes(new ReadOnlySpan<CryptoParams>(in parameters)));
        ulong src = hq.Put(hash);
        ulong[][] dst = [.. queues.Select(_ => Enumerable.Range(0, InFlight).Select(_ => hq.Reserve(256)).ToArray())];

        // Warm up: imports the key into each queue's cache; one request at a time gives the latency.
        var latency = new Stopwatch();
        for (int i = 0; i < 120; i++)
        {
            if (i == 20)
            {
                latency.Start();
            }

            Cqe cqe = HpreQueue.Submit(queues[i % 2], Sign(src, dst[i % 2][0], block, (ulong)i));
            Assert.Equal(CompletionStatus.Ok, cqe.Status);
        }

        double queueLatencyUs = latency.Elapsed.TotalMicroseconds / 100;
        byte[] direct = new byte[256];
        var directWatch = Stopwatch.StartNew();
        for (int i = 0; i < count / 4; i++)
        {
            rsa.TrySignHash(hash, direct, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out _);
        }

        double directUs = directWatch.Elapsed.TotalMicroseconds / (count / 4);
        directWatch.Restart();
        for (int i = 0; i < count; i++)
        {
            rsa.TrySignHash(hash, direct, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1, out _);
        }

        double directRate = count / directWatch.Elapsed.TotalSeconds;

        var watch = Stopwatch.StartNew();
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, q => Pump(queues[q], src, dst[q], block, count, expected));
        double queueRate = 2 * count / watch.Elapsed.TotalSeconds;

        output.WriteLine($"direct: {directRate:F0} signs/s ({directUs:F0} us each); queue, 2 engines: {queueRate:F0} signs/s " +
                         $"({queueRate / directRate:F2}x); one request at a time through the queue: {queueLatencyUs:F0} us");
        if (measure)
        {
            Assert.True(queueRate >= 1.8 * directRate, $"queue {queueRate:F0}/s < 1.8 x direct {directRate:F0}/s");
        }
    }

    private static Sqe Sign(ulong src, ulong dst, ulong block, ulong tag) => new()
    {
        UserData = tag,
        Opcode = Opcode.RsaSign,
        Mode = (byte)RsaPadding.Pkcs1,
        Hash = (byte)DigestAlgorithm.Sha256,
        Src = src,
        SrcLen = 32,
        Dst = dst,
        DstLen = 256,
        Params = block,
    };

    private static unsafe void Pump(WdQueue queue, ulong src, ulong[] dst, ulong block, int count, byte[] expected)
    {
        int sent = 0, done = 0;
        while (done < count)
        {
            while (sent < count && sent - done < InFlight)
            {
                Sqe sqe = Sign(src, dst[sent % InFlight], block, (ulong)sent);
                Assert.True(queue.TrySend(in sqe));
                sent++;
            }

            queue.Flush();
            Assert.True(queue.RecvSync(out Cqe cqe, TimeSpan.FromSeconds(30)));
            Assert.Equal(CompletionStatus.Ok, cqe.Status);
            if (cqe.UserData % 97 == 0)
            {
                var signature = new ReadOnlySpan<byte>((void*)dst[(int)cqe.UserData % InFlight], 256);
                Assert.True(signature.SequenceEqual(expected));
            }

            done++;
        }
    }
}
