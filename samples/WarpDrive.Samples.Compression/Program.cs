using System.IO.Compression;
using System.Text;
using WarpDrive.Compression;
using WarpDrive.Streams;

// Compression only: the package WarpDrive (libwd) alone, on its embedded ZIP device zip-0 (or a broker's or the
// hardware's, whichever WD_MODE picks). No crypto models, no BouncyCastle in this application.
byte[] payload = Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, 200_000)));

// A session: one request, the device reads the buffers in place.
using var session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip });
byte[] compressed = new byte[CompressionSession.GetMaxCompressedLength(payload.Length)];
CompressionResult result = await session.ProcessAsync(payload, compressed);
Console.WriteLine($"session: {result.Status}, {payload.Length} -> {result.Produced} bytes on {session.Device.Name} ({session.Device.Location})");

// The output is plain gzip: the runtime's GZipStream reads it back.
using var back = new MemoryStream();
using (var gunzip = new GZipStream(new MemoryStream(compressed, 0, result.Produced), CompressionMode.Decompress))
{
    gunzip.CopyTo(back);
}

Console.WriteLine($"round trip: {(back.ToArray().AsSpan().SequenceEqual(payload) ? "same" : "DIFFERENT")}");

// A drop-in for GZipStream.
using var file = new MemoryStream();
using (var gz = new WdGZipStream(file, CompressionLevel.Fastest, leaveOpen: true))
{
    gz.Write(payload);
}

Console.WriteLine($"stream: {payload.Length} -> {file.Length} bytes");
