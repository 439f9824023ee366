using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Crypto;

namespace WarpDrive.TestClient;

/// <summary>A client that does a bit of everything, over and over, until it is killed: opens and closes queues,
/// reserves and frees shared memory (keeping a few alive), compresses in stream mode and in block mode with requests
/// in flight, hashes on the SEC device. A test SIGKILLs it at a random moment and then checks that the broker got
/// everything back. Prints <c>started</c> once its runtime is up.</summary>
internal static class ChurnClient
{
    public static async Task<int> RunAsync(WdRuntime runtime)
    {
        Console.WriteLine("started");
        Console.Out.Flush();
        var random = new Random(Environment.ProcessId);
        byte[] text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 20000).Select(i => $"churn line {i}\n")));
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(text.Length)];
        var held = new List<IDisposable>();
        using var block = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, runtime);
        using var digest = new DigestSession(DigestAlgorithm.Sha256, runtime: runtime);
        byte[] hash = new byte[32];
        while (true)
        {
            try
            {
                await StepAsync(runtime, random, text, output, held, block, digest, hash);
            }
            catch (WdException)
            {
                // Refused (the uid's queue or memory cap, no free queue): a normal answer when 8 of us share one account.
            }

            while (held.Count > 6)
            {
                held[0].Dispose();
                held.RemoveAt(0);
            }
        }
    }

    private static async Task StepAsync(WdRuntime runtime, Random random, byte[] text, byte[] output, List<IDisposable> held,
        CompressionSession block, DigestSession digest, byte[] hash)
    {
        switch (random.Next(6))
        {
            case 0:
                WdQueue queue = runtime.RequestQueue("gzip");
                if (random.Next(2) == 0)
                {
                    held.Add(queue);
                }
                else
                {
                    queue.Dispose();
                }

                break;
            case 1:
                WdSharedMemory memory = runtime.ReserveMemory(random.Next(4096, 1 << 20));
                memory.GetSpan().Fill(0x5A);
                held.Add(memory);
                break;
            case 2:
                using (var stream = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Mode = SessionMode.Stream }, runtime))
                {
                    for (int piece = 0; piece < 4; piece++)
                    {
                        Check(stream.Process(text.AsSpan(piece * 4096, 4096), output, last: piece == 3).IsOk);
                    }
                }

                break;
            case 3:
                ValueTask<CompressionResult>[] pending = [.. Enumerable.Range(0, 4).Select(i => block.ProcessAsync(text.AsMemory(i * 8192, 8192), new byte[16384]))];
                foreach (ValueTask<CompressionResult> request in pending)
                {
                    Check((await request).IsOk);
                }

                break;
            case 4:
                int length = random.Next(1, text.Length);
                digest.ComputeHash(text.AsSpan(0, length), hash);
                Check(hash.AsSpan().SequenceEqual(SHA256.HashData(text.AsSpan(0, length))));
                break;
            default:
                if (held.Count > 0)
                {
                    int index = random.Next(held.Count);
                    held[index].Dispose();
                    held.RemoveAt(index);
                }

                break;
        }
    }

    private static void Check(bool condition)
    {
        if (!condition)
        {
            Console.Error.WriteLine("churn: a result was wrong");
            Environment.Exit(1);
        }
    }
}
