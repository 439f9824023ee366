using System.Text.Json;
using static WarpDrive.Tests.CliRunner;

namespace WarpDrive.Tests.Bench;

/// <summary>The real <c>wd bench</c>: every mode with very short runs (deflate and a crypto algorithm), the private
/// broker and the socket server really start and stop, <c>--report</c> writes its section and PNG, bad flags are
/// usage errors.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class BenchCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("wd-bench-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JsonElement RunJson(string args)
    {
        (int code, string stdout, string stderr) = Wd($"bench {args} --json");
        Assert.True(code == 0, $"wd bench {args}: exit {code}: {stderr}");
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    private static void AssertSane(JsonElement run, int pktlen, Func<long, long>? inputPerRequest = null, long? outputPerRequest = null)
    {
        long requests = run.GetProperty("requests").GetInt64();
        Assert.True(requests > 0, run.ToString());
        Assert.True(run.GetProperty("ops_per_s").GetDouble() > 0);
        double p50 = run.GetProperty("p50_us").GetDouble(), p99 = run.GetProperty("p99_us").GetDouble(), p999 = run.GetProperty("p999_us").GetDouble();
        Assert.True(p50 > 0 && p50 <= p99 && p99 <= p999, $"p50 {p50} p99 {p99} p99.9 {p999}");
        Assert.Equal(pktlen, run.GetProperty("pktlen").GetInt32());
        long input = run.GetProperty("input_bytes").GetInt64();
        Assert.Equal(requests * (inputPerRequest ?? (_ => pktlen))(input / requests), input);
        if (outputPerRequest is { } perRequest)
        {
            Assert.Equal(requests * perRequest, run.GetProperty("output_bytes").GetInt64());
        }

        Assert.True(run.GetProperty("cpu_percent").GetDouble() > 0);
        Assert.True(run.GetProperty("submit_cpu_us_per_request").GetDouble() > 0);
    }

    private static bool IsRunning(int pid) => Directory.Exists($"/proc/{pid}");

    [Theory]
    [InlineData("--alg deflate --mode local --sync")]
    [InlineData("--alg deflate --mode local --async --depth 8 --threads 2")]
    [InlineData("--alg deflate --mode local --async --callbacks --depth 8 --threads 2")]
    [InlineData("--alg deflate --mode inline")]
    [InlineData("--alg deflate --mode direct")]
    [InlineData("--alg aes-128-gcm --mode local --async --ctxnum 2")]
    [InlineData("--alg aes-128-gcm --mode inline")]
    [InlineData("--alg aes-128-gcm --mode direct --threads 2")]
    public void InProcessModesMeasureTheRightBytes(string args)
    {
        JsonElement run = RunJson($"{args} --pktlen 16K --seconds 0.2").GetProperty("runs")[0];
        bool gcm = args.Contains("gcm", StringComparison.Ordinal);
        AssertSane(run, 16 << 10, outputPerRequest: gcm ? (16 << 10) + 16 : null);
        if (!gcm)
        {
            long ratio = run.GetProperty("input_bytes").GetInt64() / run.GetProperty("output_bytes").GetInt64();
            Assert.InRange(ratio, 2, 20); // text-like data: compressible, but not all zeros
        }
    }

    [Fact]
    public void DecompressionInflatesBlocksCompressedUpFront()
    {
        JsonElement run = RunJson("--alg gzip --op decompress --pktlen 64K --seconds 0.2").GetProperty("runs")[0];
        Assert.Equal("decompress", run.GetProperty("op").GetString());
        AssertSane(run, 64 << 10, inputPerRequest: compressed => compressed is > 0 and < 64 << 10 ? compressed : -1, outputPerRequest: 64 << 10);
    }

    /// <summary><c>--input-file</c>: the packet is the file's first --pktlen bytes. Random bytes do not compress (deflate's
    /// output is at least the input), where the generated text compresses 2-20:1; the socket server's child reads the same
    /// file; a file shorter than the packet is a data error.</summary>
    [Fact]
    public void InputFileGivesThePacket()
    {
        string file = Path.Combine(_dir, "random.bin");
        File.WriteAllBytes(file, TestData.Random(20_000));
        JsonElement doc = RunJson($"--alg deflate --input-file '{file}' --pktlen 16K --seconds 0.1 --compare");
        foreach (JsonElement run in doc.GetProperty("runs").EnumerateArray())
        {
            AssertSane(run, 16 << 10);
            Assert.True(run.GetProperty("output_bytes").GetInt64() >= run.GetProperty("input_bytes").GetInt64(), run.ToString());
        }

        JsonElement inflate = RunJson($"--alg deflate --op decompress --input-file '{file}' --pktlen 4K --seconds 0.1").GetProperty("runs")[0];
        AssertSane(inflate, 4 << 10, inputPerRequest: compressed => compressed >= 4 << 10 ? compressed : -1, outputPerRequest: 4 << 10);

        (int code, string stdout, string stderr) = Wd($"bench --alg deflate --input-file '{file}' --pktlen 32K --seconds 0.1");
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.Contains("has 20000 bytes, fewer than --pktlen 32768", stderr, StringComparison.Ordinal);
        Assert.Equal(4, Wd($"bench --alg deflate --input-file '{Path.Combine(_dir, "missing")}' --seconds 0.1").Code);
    }

    [Theory]
    [InlineData("--alg deflate --mode broker-sva --async --depth 4", false)]
    [InlineData("--alg deflate --mode broker-share", false)]
    [InlineData("--alg sha256 --mode broker-share --async", true)]
    [InlineData("--alg nop --mode broker-sva --async --depth 64", false)]
    public void BrokerModesStartAPrivateWddAndStopIt(string args, bool sha)
    {
        JsonElement doc = RunJson($"{args} --pktlen 8K --seconds 0.2");
        JsonElement run = doc.GetProperty("runs")[0];
        if (args.Contains("nop", StringComparison.Ordinal))
        {
            Assert.True(run.GetProperty("requests").GetInt64() > 0);
            Assert.Equal(0, run.GetProperty("input_bytes").GetInt64());
        }
        else
        {
            AssertSane(run, 8 << 10, outputPerRequest: sha ? 32 : null);
        }

        int pid = doc.GetProperty("broker_pid").GetInt32();
        Assert.True(pid > 0);
        Assert.False(IsRunning(pid), $"the private broker {pid} is still running");
    }

    [Fact]
    public void NopPipelinesOnARawQueue()
    {
        JsonElement run = RunJson("--alg nop --async --depth 256 --threads 1 --ctxnum 1 --seconds 0.2").GetProperty("runs")[0];
        Assert.True(run.GetProperty("requests").GetInt64() > 1000, run.ToString());
        double p50 = run.GetProperty("p50_us").GetDouble(), p99 = run.GetProperty("p99_us").GetDouble();
        Assert.True(p50 > 0 && p50 <= p99);
    }

    [Fact]
    public void CompareRunsDirectAndASocketServerAndPrintsRatios()
    {
        JsonElement doc = RunJson("--alg deflate --compare --pktlen 16K --seconds 0.2");
        string[] modes = [.. doc.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("mode").GetString()!)];
        Assert.Equal(["local", "direct", "socket"], modes);
        foreach (JsonElement run in doc.GetProperty("runs").EnumerateArray())
        {
            AssertSane(run, 16 << 10);
        }

        JsonElement[] ratios = [.. doc.GetProperty("ratios").EnumerateArray()];
        Assert.Equal(["direct", "socket"], ratios.Select(r => r.GetProperty("versus").GetString()));
        Assert.All(ratios, r => Assert.True(r.GetProperty("ops_per_s").GetDouble() > 0 && r.GetProperty("submit_cpu_per_request").GetDouble() > 0));
        int server = doc.GetProperty("socket_server_pid").GetInt32();
        Assert.False(IsRunning(server), $"the socket server {server} is still running");

        (int code, string table, string err) = Wd("bench --alg sha256 --compare --pktlen 4K --seconds 0.1");
        Assert.True(code == 0, err);
        Assert.Contains("local vs direct: ops/s x", table, StringComparison.Ordinal);
        Assert.Contains("local vs socket: ops/s x", table, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportWritesTheTableBetweenMarkersAndAPng()
    {
        string markdown = Path.Combine(_dir, "PERFORMANCE.md");
        // The documentation quotes the markers inside a line: only markers on lines of their own count.
        const string quoted = "| `--report` | writes between `<!-- wd bench report: begin -->` and `<!-- wd bench report: end -->` |\n";
        File.WriteAllText(markdown, "# Performance\n\nSomething before.\n" + quoted);
        for (int pass = 0; pass < 2; pass++)
        {
            (int code, _, string err) = Wd($"bench --alg deflate --seconds 0.02 --report '{_dir}'");
            Assert.True(code == 0, err);
        }

        string text = File.ReadAllText(markdown);
        Assert.StartsWith("# Performance\n\nSomething before.\n" + quoted, text, StringComparison.Ordinal);
        Assert.Equal(2, Count(text, "<!-- wd bench report: begin -->"));
        Assert.Equal(2, Count(text, "<!-- wd bench report: end -->"));
        Assert.Equal(1, Count(text, "### wd bench: deflate compress, local"));
        Assert.Contains("| 1M |", text, StringComparison.Ordinal);
        Assert.Contains("Command: `wd bench --alg deflate --seconds 0.02 --report", text, StringComparison.Ordinal);

        // The chart: an SVG document with one polyline of five points (4K..1M) per depth (1, 4, 16, 64).
        var svg = System.Xml.Linq.XDocument.Load(Path.Combine(_dir, "bench-deflate-local.svg"));
        System.Xml.Linq.XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        string[] lines = [.. svg.Descendants(ns + "polyline").Select(p => (string)p.Attribute("points")!)];
        Assert.Equal(4, lines.Length);
        Assert.All(lines, points => Assert.Equal(5, points.Split(' ').Length));
        Assert.Contains(svg.Descendants(ns + "text"), t => t.Value == "depth 64");
    }

    private static int Count(string text, string what) => (text.Length - text.Replace(what, "", StringComparison.Ordinal).Length) / what.Length;

    [Theory]
    [InlineData("--alg lz77")]
    [InlineData("--alg deflate --mode gpu")]
    [InlineData("--alg deflate --pktlen 0")]
    [InlineData("--alg deflate --pktlen lots")]
    [InlineData("--alg deflate --threads 0")]
    [InlineData("--alg deflate --sync --async")]
    [InlineData("--alg nop --mode direct")]
    [InlineData("--alg deflate --callbacks")]
    [InlineData("--alg sha256 --async --callbacks")]
    [InlineData("--alg deflate --grace 0")]
    [InlineData("--alg deflate --grace -1")]
    public void BadFlagsAreUsageErrors(string args)
    {
        (int code, string stdout, string stderr) = Wd($"bench {args} --seconds 0.1");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("wd: ", stderr, StringComparison.Ordinal);
    }

    /// <summary>Requests that never complete (the broker that serves them is stopped with SIGSTOP once the bench has its
    /// queue: alive, so libwd does not fail over) do not hang <c>wd bench</c>: a grace period after the run it reports
    /// what is still in flight and exits 8.</summary>
    [Theory]
    [InlineData("--async --depth 4")]
    [InlineData("--sync")]
    public async Task ARunWhoseRequestsNeverCompleteReportsThemAndExits8(string submit)
    {
        await using Broker.BrokerProcess broker = await Broker.BrokerProcess.StartAsync(Broker.BrokerProcess.DefaultConfig);
        int free = int.Parse(broker.ReadAttribute("zip-0", "available_instances"), System.Globalization.CultureInfo.InvariantCulture);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Task<(int Code, string Stdout, string Stderr)> bench = Task.Run(() =>
            Wd($"bench --alg deflate --pktlen 64K {submit} --mode broker-sva --run-dir '{broker.RunDirectory}' --seconds 2 --grace 2"));
        Assert.True(await Broker.BrokerTestKit.EventuallyAsync(
            () => int.Parse(broker.ReadAttribute("zip-0", "available_instances"), System.Globalization.CultureInfo.InvariantCulture) < free,
            TimeSpan.FromSeconds(30)), "wd bench opened no queue");
        Assert.Equal(0, Run("kill", $"-STOP {broker.Pid}").Code);
        try
        {
            (int code, string stdout, string stderr) = await bench.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(code == 8, $"exit {code}: {stderr}");
            Assert.Equal("", stdout);
            Assert.Matches(@"^wd: bench: [1-9]\d* request\(s\) still in flight, none completed for 2 s after the run should have ended \(thread 0: [1-9]\d*(?: in the warm-up)?\): completions were lost\n$", stderr);
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}");
        }
        finally
        {
            Run("kill", $"-CONT {broker.Pid}");
        }
    }
}
