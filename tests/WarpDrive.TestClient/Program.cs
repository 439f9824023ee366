using System.Globalization;
using System.IO.Compression;
using WarpDrive;
using WarpDrive.Compression;

// A client process for the broker's integration tests (the broker is found through WD_RUN_DIR; WD_MODE=broker).
//   hold N         open N queues and start a stream on the first, print "ready", wait for stdin to close
//   secret         reserve 64 KiB of shared memory filled with 0xA5, print "ready <address> <length>", wait;
//                  exit 1 if the memory no longer holds only 0xA5 by then
//   queue          open one gzip queue (no waiting), run a NOP through it, print "ok <device> <queue id>"
//   doorbell SECONDS   open one gzip queue and ring its doorbell (advance the word, FUTEX_WAKE) as fast as one thread
//                  can, publishing nothing; print how many times
//   loop SECONDS   compress and decompress random data in a loop, checking every round trip; print the count
//   hostile COUNT SEED [HEX_ADDRESS...]   write at least COUNT crafted descriptors straight into its rings, corrupt
//                  ring words, storm the doorbell; print its books as key=value pairs (HostileClient.cs)
//   control COUNT SEED   send at least COUNT random and crafted control messages on connections to the broker's
//                  devices; print its books as key=value pairs (HostileControlClient.cs)
//   churn          a bit of everything (queues, shared memory, streams, requests in flight) until killed (ChurnClient.cs)
//   resilient      compress through broker restarts, reopening after failures, until stdin closes (ResilientClient.cs)
//   flood SIZE LEVEL IN_FLIGHT MAX_QUEUES   gzip requests of SIZE bytes on every queue it may open (FloodClient.cs)
//   latency SECONDS   one no-op at a time, print its latency percentiles (FloodClient.cs)
//   setuid-flood UID COUNT   as root: take a queue, setuid(UID), open COUNT connections; print how many were served
//   default-runtime   compress once through WdRuntime.Default (WD_MODE=local: in-process devices), print "ready", wait
//                  for stdin to close, exit without disposing anything (DefaultRuntimeClient.cs)
// Exit codes: 0 done, 1 a round trip differed or the secret changed, 2 usage, 3 a device error.
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: WarpDrive.TestClient hold N | secret | loop SECONDS | hostile COUNT SEED [HEX_ADDRESS...] | control COUNT SEED | churn | resilient");
    return 2;
}

using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, MaxContextsPerAlgorithm = 1 });
try
{
    switch (args[0])
    {
        case "hold":
        {
            int count = int.Parse(args[1], CultureInfo.InvariantCulture);
            var queues = new List<WdQueue>();
            for (int i = 0; i < count; i++)
            {
                queues.Add(runtime.RequestQueue("gzip"));
            }

            // Mid-stream: a device stream context is held and a request has gone through.
            using var session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Mode = SessionMode.Stream }, runtime);
            byte[] output = new byte[1 << 20];
            session.Process(new byte[256 << 10], output, last: false);
            Console.WriteLine("ready");
            Console.Out.Flush();
            Console.In.ReadToEnd();
            queues.ForEach(q => q.Dispose());
            return 0;
        }

        case "queue":
        {
            using WdQueue queue = runtime.RequestQueue("gzip");
            var nop = new WarpDrive.Abi.Sqe { UserData = 42, Opcode = WarpDrive.Abi.Opcode.Nop };
            if (!queue.TrySend(in nop))
            {
                Console.Error.WriteLine("the new queue's ring is full");
                return 1;
            }

            queue.Flush();
            if (!queue.TryReceive(out WarpDrive.Abi.Cqe cqe, TimeSpan.FromSeconds(10)) || cqe.UserData != 42 || cqe.Status != WarpDrive.Abi.CompletionStatus.Ok)
            {
                Console.Error.WriteLine($"the NOP did not complete: {cqe.Status}");
                return 1;
            }

            Console.WriteLine($"ok {queue.Device.Name} {queue.QueueId}");
            return 0;
        }

        case "doorbell":
        {
            using WdQueue queue = runtime.RequestQueue("gzip");
            WarpDrive.Abi.QueueRegion region = queue.Region;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var length = TimeSpan.FromSeconds(double.Parse(args[1], CultureInfo.InvariantCulture));
            long rings = 0;
            while (clock.Elapsed < length)
            {
                for (int i = 0; i < 64; i++)
                {
                    Interlocked.Increment(ref region.Doorbell);
                    WarpDrive.Platform.Futex.Wake(region.DoorbellAddress);
                }

                rings += 64;
            }

            Console.WriteLine(rings.ToString(CultureInfo.InvariantCulture));
            return 0;
        }

        case "secret":
        {
            using WdSharedMemory memory = runtime.ReserveMemory(64 << 10);
            memory.GetSpan().Fill(0xA5);
            Console.WriteLine($"ready {memory.Address:x} {memory.Length}");
            Console.Out.Flush();
            Console.In.ReadToEnd();
            int changed = memory.GetSpan().IndexOfAnyExcept((byte)0xA5);
            if (changed >= 0)
            {
                Console.Error.WriteLine($"secret changed at offset {changed}");
                return 1;
            }

            return 0;
        }

        case "loop":
        {
            var until = DateTime.UtcNow.AddSeconds(double.Parse(args[1], CultureInfo.InvariantCulture));
            var random = new Random(Environment.ProcessId);
            int rounds = 0;
            while (DateTime.UtcNow < until)
            {
                byte[] data = new byte[random.Next(1, 256 << 10)];
                for (int i = 0; i < data.Length; i++)
                {
                    data[i] = (byte)random.Next(0, 16); // compressible
                }

                using var packed = new MemoryStream();
                using (var z = new WarpDrive.Streams.WdGZipStream(packed, CompressionMode.Compress, 1, leaveOpen: true, runtime))
                {
                    z.Write(data);
                }

                packed.Position = 0;
                using var unpacked = new MemoryStream();
                using (var z = new WarpDrive.Streams.WdGZipStream(packed, CompressionMode.Decompress, 1, leaveOpen: true, runtime))
                {
                    z.CopyTo(unpacked);
                }

                if (!unpacked.ToArray().AsSpan().SequenceEqual(data))
                {
                    Console.Error.WriteLine($"round trip {rounds} differs");
                    return 1;
                }

                rounds++;
            }

            Console.WriteLine(rounds.ToString(CultureInfo.InvariantCulture));
            return 0;
        }

        case "control":
            return WarpDrive.TestClient.HostileControlClient.Run(args);

        case "churn":
            return await WarpDrive.TestClient.ChurnClient.RunAsync(runtime);

        case "resilient":
            return await WarpDrive.TestClient.ResilientClient.RunAsync();

        case "hostile":
            return WarpDrive.TestClient.HostileClient.Run(runtime, args);

        case "flood":
            return WarpDrive.TestClient.FloodClient.Flood(runtime, args);

        case "latency":
            return WarpDrive.TestClient.FloodClient.Latency(runtime, args);

        case "setuid-flood":
            return WarpDrive.TestClient.UidChangeClient.Run(runtime, args);

        case "default-runtime":
            return WarpDrive.TestClient.DefaultRuntimeClient.Run();

        default:
            Console.Error.WriteLine($"unknown command {args[0]}");
            return 2;
    }
}
catch (WdException e)
{
    Console.Error.WriteLine($"TestClient: {e.Message}");
    return 3;
}
