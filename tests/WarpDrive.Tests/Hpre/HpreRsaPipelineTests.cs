using System.Runtime.InteropServices;
using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Tests.Hpre;

/// <summary>RSA-2048 PKCS#1 v1.5 signatures pipelined on two queues served by two engines: every one is right.
/// The speed of this path (target: 1.8x one direct thread) is measured by the crypto probe, not here
/// (docs/PERFORMANCE.md).</summary>
public sealed class HpreRsaPipelineTests
{
    private const int InFlight = 8;

    [Fact]
    public void PipelinedSignaturesOnTwoEnginesAreAllRight()
    {
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
        Parallel.For(0, 2, new ParallelOptions { MaxDegreeOfParallelism = 2 }, q => Pump(queues[q], src, dst[q], block, 64, expected));
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
            Assert.True(queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(30)));
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
