using System.Text;
using WarpDrive;
using WarpDrive.Compression;

// Through the broker wdd: start one (`wd daemon --run-dir /tmp/wd-run &`), then run this sample with
// WD_RUN_DIR=/tmp/wd-run, or with the run directory as its argument. Mode Broker: the broker's devices only, so a
// missing broker is an error rather than a quiet fallback to the embedded devices.
string? runDirectory = args.Length > 0 ? args[0] : null;
using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, BrokerRunDirectory = runDirectory });
foreach (WdDeviceInfo device in runtime.Devices)
{
    Console.WriteLine($"device {device.Name} ({device.Location})");
}

byte[] payload = Encoding.UTF8.GetBytes(string.Join('\n', Enumerable.Range(0, 100_000)));
using var session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, runtime);
byte[] output = new byte[CompressionSession.GetMaxCompressedLength(payload.Length)];
CompressionResult result = await session.ProcessAsync(payload, output);
Console.WriteLine($"{result.Status}: {payload.Length} -> {result.Produced} bytes on {session.Device.Name} ({session.Device.Location})");
