using System.Reflection;
using WarpDrive.Tests.Broker;
using WarpDrive.Tests.Packaging;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Docs;

/// <summary>The console samples under samples/ (built by the solution) run and print what their README promises:
/// compression on the embedded zip-0, crypto on sec-0 (found through WarpDrive.Devices.Crypto), and compression
/// through a real wdd.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class SampleTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _run = Directory.CreateTempSubdirectory("wd-sample-run-").FullName;

    public void Dispose() => Directory.Delete(_run, recursive: true);

    private (int Code, string Output) RunSample(string name, params string[] args)
    {
        string configuration = typeof(SampleTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        string dll = Path.Combine(DocSnippetTests.RepositoryRoot(), "samples", name, "bin", configuration, "net10.0", name + ".dll");
        Assert.True(File.Exists(dll), $"{dll} not built (the solution builds the samples)");
        // An empty run directory: no broker there, so the embedded devices serve (unless the sample asks for a broker).
        (int code, string text) = PackageCommand.Run(_run, "dotnet", [dll, .. args], new() { ["WD_RUN_DIR"] = _run, ["WD_STATS"] = "0" });
        output.WriteLine(text);
        return (code, text);
    }

    [Fact]
    public void CompressionSampleRoundTripsOnTheEmbeddedZipDevice()
    {
        (int code, string text) = RunSample("WarpDrive.Samples.Compression");
        Assert.True(code == 0, text);
        Assert.Matches(@"session: Ok, 1288889 -> \d+ bytes on zip-0 \(in-process\)", text);
        Assert.Contains("round trip: same", text, StringComparison.Ordinal);
        Assert.Matches(@"stream: 1288889 -> \d+ bytes", text);
    }

    [Fact]
    public void CryptoSampleHashesAndSealsOnTheEmbeddedSecDevice()
    {
        (int code, string text) = RunSample("WarpDrive.Samples.Crypto");
        Assert.True(code == 0, text);
        Assert.Matches("sha256 on sec-0: [0-9a-f]{64} \\(matches the runtime's\\)", text);
        Assert.Matches(@"aes-gcm on sec-0: \d+ bytes sealed, opened same", text);
    }

    [Fact]
    public async Task BrokerSampleCompressesThroughARealWdd()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        (int code, string text) = RunSample("WarpDrive.Samples.Broker", broker.RunDirectory);
        Assert.True(code == 0, text + broker.Log);
        Assert.Contains("device zip-0 (broker)", text, StringComparison.Ordinal);
        Assert.Matches(@"Ok: 588889 -> \d+ bytes on zip-0 \(broker\)", text);
    }
}
