using WarpDrive.Compression;

namespace WarpDrive.TestClient;

/// <summary>A process that uses <see cref="WdRuntime.Default"/> as an application does, and never disposes it: with
/// WD_MODE=local its in-process devices publish a stats file under WD_RUN_DIR, which a normal exit must remove.</summary>
internal static class DefaultRuntimeClient
{
    /// <summary>Compresses once through the default runtime (checking the round trip), prints "ready", waits for stdin
    /// to close, and returns 0 without disposing anything.</summary>
    public static int Run()
    {
        byte[] data = new byte[256 << 10]; // above Mix mode's thresholds: the request goes to zip-0
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (byte)(i % 251 % 16);
        }

        using var session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip });
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(data.Length)];
        CompressionResult result = session.Process(data, output);
        if (result.Status != Abi.CompletionStatus.Ok || !Gzip.Decompress(output.AsSpan(0, result.Produced)).AsSpan().SequenceEqual(data))
        {
            Console.Error.WriteLine($"round trip failed ({result.Status})");
            return 1;
        }

        Console.WriteLine("ready");
        Console.Out.Flush();
        Console.In.ReadToEnd();
        return 0;
    }
}
