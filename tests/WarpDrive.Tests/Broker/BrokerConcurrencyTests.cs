using System.Globalization;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>Several client processes share one broker device at once and each gets its own data back.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerConcurrencyTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoClientProcessesCompressAndDecompressConcurrently()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        await using ChildProcess a = broker.StartTestClient("loop", "3");
        await using ChildProcess b = broker.StartTestClient("loop", "3");

        int[] codes = await Task.WhenAll(a.WaitForExitAsync(TimeSpan.FromSeconds(60)), b.WaitForExitAsync(TimeSpan.FromSeconds(60)));

        foreach ((ChildProcess client, int code) in new[] { (a, codes[0]), (b, codes[1]) })
        {
            Assert.True(code == 0, $"TestClient {client.Pid} exited with {code}: {client.Stderr}");
            int rounds = int.Parse(client.Stdout.Trim(), CultureInfo.InvariantCulture);
            output.WriteLine($"TestClient {client.Pid}: {rounds} checked round trips in 3 s");
            Assert.True(rounds > 0, $"TestClient {client.Pid} completed no round trip");
        }

        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "available_instances") == "16", TimeSpan.FromSeconds(1)),
            "the clients' queues did not all come back"); // both gave everything back
    }

    [Fact]
    public async Task TwoWdProcessesCompressAndDecompressDifferentFilesConcurrently()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        string dir = broker.RunDirectory;
        byte[][] inputs =
        [
            TestData.Text(6 << 20, seed: 11),
            [.. TestData.Random(2 << 20, seed: 12), .. TestData.Text(3 << 20, seed: 13)],
        ];
        string[] files = new string[inputs.Length];
        for (int i = 0; i < inputs.Length; i++)
        {
            files[i] = Path.Combine(dir, $"input{i}");
            await File.WriteAllBytesAsync(files[i], inputs[i]);
        }

        ChildProcess[] compressed = await Task.WhenAll(files.Select(f => broker.RunWdAsync("compress", "--mode", "broker", "-o", f + ".gz", f)));
        foreach (ChildProcess wd in compressed)
        {
            Assert.True(wd.ExitCode == 0, $"{wd.CommandLine}: exit {wd.ExitCode}: {wd.Stderr}");
        }

        ChildProcess[] decompressed = await Task.WhenAll(files.Select(f => broker.RunWdAsync("decompress", "--mode", "broker", "-o", f + ".out", f + ".gz")));
        for (int i = 0; i < files.Length; i++)
        {
            Assert.True(decompressed[i].ExitCode == 0, $"{decompressed[i].CommandLine}: exit {decompressed[i].ExitCode}: {decompressed[i].Stderr}");
            Assert.True(Same(inputs[i], await File.ReadAllBytesAsync(files[i] + ".out")), $"wd decompress of {files[i]}.gz differs from the input");

            // An independent reader of the broker's output.
            (int code, string stderr) = await BrokerTestKit.RunProgramAsync("gzip", ["-dc", files[i] + ".gz"], files[i] + ".gunzip");
            Assert.True(code == 0, $"gzip -dc {files[i]}.gz: {stderr}");
            Assert.True(Same(inputs[i], await File.ReadAllBytesAsync(files[i] + ".gunzip")), $"gzip -dc of {files[i]}.gz differs from the input");
            output.WriteLine($"{inputs[i].Length} bytes -> {new FileInfo(files[i] + ".gz").Length} bytes");
        }
    }

    private static bool Same(byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b);
}
