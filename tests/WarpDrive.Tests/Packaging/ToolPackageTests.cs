using System.Diagnostics;
using System.IO.Compression;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Packaging;

/// <summary>The packages of one real <c>scripts/pack.sh --no-build</c> run (the build these tests run from) in a
/// temporary folder, shared by the tests of <see cref="ToolPackageTests"/>.</summary>
public sealed class PackedPackages : IDisposable
{
    public PackedPackages()
    {
        RepositoryRoot = FindRepositoryRoot();
        Directory = System.IO.Directory.CreateTempSubdirectory("wd-pack-").FullName;
        Packages = Path.Combine(Directory, "packages");
        // The version every package carries: the central <Version> of Directory.Build.props, which the assemblies
        // these tests reference were built with too ("0.8.0+<commit>" as the informational version).
        string informational = typeof(WdRuntime).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Version = informational.Split('+')[0];
        // Pack what was built for this very test run (the configuration of this assembly: Release under
        // scripts/test.sh), so that nothing is compiled again.
        string configuration = typeof(PackedPackages).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        var clock = Stopwatch.StartNew();
        PackResult = PackageCommand.Run(RepositoryRoot, "bash", [Path.Combine(RepositoryRoot, "scripts", "pack.sh"), "--no-build", "-c", configuration, Packages]);
        PackSeconds = clock.Elapsed.TotalSeconds;
    }

    public string RepositoryRoot { get; }

    /// <summary>The temporary folder (packages, nuget.config, tool path); removed on dispose.</summary>
    public string Directory { get; }

    /// <summary>The folder pack.sh packed into.</summary>
    public string Packages { get; }

    public string Version { get; }

    public (int Code, string Output) PackResult { get; }

    public double PackSeconds { get; }

    public string PackagePath(string id, string extension = "nupkg") => Path.Combine(Packages, $"{id}.{Version}.{extension}");

    public void Dispose() => System.IO.Directory.Delete(Directory, recursive: true);

    private static string FindRepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "WarpDrive.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("repository root not found");
        }

        return root.FullName;
    }
}

/// <summary>NuGet packaging (docs/DEPLOYMENT.md, "Packages"): <c>scripts/pack.sh</c> makes the libraries' packages and the tool
/// package <c>WarpDrive.Cli</c>; the tool installs from that folder alone (no other package source) and its <c>wd</c>
/// runs; the libwd package carries its assembly, XML docs, README, license, Source Link repository and its
/// dependencies at the same version.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class ToolPackageTests(PackedPackages packed, ITestOutputHelper output) : IClassFixture<PackedPackages>
{
    private static readonly string[] s_libraries = ["WarpDrive.Abi", "WarpDrive.Platform", "WarpDrive.Devices", "WarpDrive.Devices.Crypto", "WarpDrive", "WarpDrive.AspNetCore"];

    [Fact]
    public void PackMakesTheLibrariesAndTheToolAndNothingElse()
    {
        AssertPacked();
        string[] made = [.. Directory.GetFiles(packed.Packages).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        output.WriteLine($"packed in {packed.PackSeconds:F1} s: {string.Join(", ", made)}");
        string[] expected = [.. s_libraries.Append("WarpDrive.Cli")
            .SelectMany(id => (string[])[$"{id}.{packed.Version}.nupkg", $"{id}.{packed.Version}.snupkg"])
            .Order(StringComparer.Ordinal)];
        // Neither the broker (inside the tool package) nor tests, test client or benchmarks.
        Assert.Equal(expected, made);
    }

    [Fact]
    public void ToolInstallsFromThePackageFolderAloneAndWdListsTheEmbeddedDevices()
    {
        AssertPacked();
        // Only the folder as a source: the tool package must carry every dependency (no nuget.org).
        string config = Path.Combine(packed.Directory, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="warpdrive" value="{packed.Packages}" />
              </packageSources>
            </configuration>
            """);
        string tools = Path.Combine(packed.Directory, "tools");
        var clock = Stopwatch.StartNew();
        (int code, string install) = PackageCommand.Run(packed.Directory, "dotnet",
            ["tool", "install", "WarpDrive.Cli", "--tool-path", tools, "--configfile", config, "--version", packed.Version]);
        output.WriteLine($"dotnet tool install ({clock.Elapsed.TotalSeconds:F1} s): {install}");
        Assert.True(code == 0, $"dotnet tool install exited {code}:\n{install}");

        string wd = Path.Combine(tools, "wd");
        Assert.True(File.Exists(wd), $"no {wd} after the install:\n{install}");
        // A run directory with no broker in it: the devices are the in-process ones.
        string run = Directory.CreateDirectory(Path.Combine(packed.Directory, "run")).FullName;
        (int listCode, string list) = PackageCommand.Run(packed.Directory, wd, ["list"], new() { ["WD_RUN_DIR"] = run });
        output.WriteLine(list);
        Assert.True(listCode == 0, $"wd list exited {listCode}:\n{list}");
        foreach (string device in (string[])["zip-0", "sec-0", "hpre-0"])
        {
            string row = Assert.Single(list.Split('\n'), l => Regex.IsMatch(l, $@"\b{device}\b"));
            Assert.Contains("in-process", row, StringComparison.Ordinal);
            Assert.Contains("wd_ring_v1", row, StringComparison.Ordinal);
        }

        // The installed tool is this build's: its version is the packages' one.
        (int versionCode, string version) = PackageCommand.Run(packed.Directory, wd, ["--version"]);
        Assert.Equal(0, versionCode);
        Assert.StartsWith(packed.Version, version.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToolPackageCarriesWdTheBrokerAndNoNativeLibraries()
    {
        AssertPacked();
        using ZipArchive tool = ZipFile.OpenRead(packed.PackagePath("WarpDrive.Cli"));
        XElement metadata = Metadata(tool, "WarpDrive.Cli");
        Assert.Equal("DotnetTool", metadata.Element(metadata.Name.Namespace + "packageTypes")?.Element(metadata.Name.Namespace + "packageType")?.Attribute("name")?.Value);
        // A tool package names no dependencies: it carries them.
        Assert.Null(metadata.Element(metadata.Name.Namespace + "dependencies"));
        string[] entries = [.. tool.Entries.Select(e => e.FullName)];
        foreach (string file in (string[])["wd.dll", "wdd.dll", "WarpDrive.dll", "WarpDrive.Devices.dll", "WarpDrive.Devices.Crypto.dll", "System.CommandLine.dll", "BouncyCastle.Cryptography.dll", "DotnetToolSettings.xml"])
        {
            Assert.Contains($"tools/net10.0/any/{file}", entries);
        }

        XDocument settings = XDocument.Load(tool.GetEntry("tools/net10.0/any/DotnetToolSettings.xml")!.Open());
        XElement command = Assert.Single(settings.Descendants("Command"));
        Assert.Equal("wd", command.Attribute("Name")?.Value);
        Assert.Equal("wd.dll", command.Attribute("EntryPoint")?.Value);
        // No chart libraries (wd bench --report writes its SVG itself): no native library at all, and a small package.
        Assert.DoesNotContain(entries, e => e.Contains("/native/", StringComparison.Ordinal) || e.Contains("Skia", StringComparison.Ordinal) || e.Contains("HarfBuzz", StringComparison.Ordinal) || e.Contains("ScottPlot", StringComparison.Ordinal));
        long size = new FileInfo(packed.PackagePath("WarpDrive.Cli")).Length;
        output.WriteLine($"WarpDrive.Cli: {size} bytes packed, {tool.Entries.Sum(e => e.Length)} bytes unpacked");
        Assert.True(size < 10 << 20, $"the tool package is {size} bytes");
    }

    [Fact]
    public void CompressionOnlyDependencyGraphHasNoBouncycastleAndTheCryptoPackageCarriesIt()
    {
        AssertPacked();
        // The closure of libwd's nuspec dependencies: the packages a compression-only application restores.
        var closure = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["WarpDrive"]);
        while (pending.TryPop(out string? id))
        {
            if (!closure.Add(id) || !File.Exists(packed.PackagePath(id)))
            {
                continue;
            }

            foreach (string dependency in Dependencies(id).Keys)
            {
                pending.Push(dependency);
            }
        }

        output.WriteLine($"WarpDrive pulls: {string.Join(", ", closure)}");
        // Ours, and the managed zstd and LZ4 engines the ZIP model falls back to where libzstd1 / liblz4-1 are missing
        // (with System.IO.Hashing for the LZ4 frame's xxHash32): all managed, no BouncyCastle.
        Assert.Equal(["K4os.Compression.LZ4", "System.IO.Hashing", "WarpDrive", "WarpDrive.Abi", "WarpDrive.Devices", "WarpDrive.Platform", "ZstdSharp.Port"], closure);
        Assert.Equal(["BouncyCastle.Cryptography", "WarpDrive.Devices"], Dependencies("WarpDrive.Devices.Crypto").Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["WarpDrive"], Dependencies("WarpDrive.AspNetCore").Keys);
    }

    [Fact]
    public void CompressionOnlyAppRestoresFromThePackageFolderAloneAndRunsWithoutBouncycastle()
    {
        AssertPacked();
        // Outside the repository (nothing inherited), the folder as the only source of ours and this machine's package
        // cache (a folder feed, no network) for the third-party packages of the closure above, its own package cache
        // (no stale copy of this version), and the compression sample's own Program.cs.
        string app = Directory.CreateDirectory(Path.Combine(packed.Directory, "compression-app")).FullName;
        string thirdParty = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="warpdrive" value="{packed.Packages}" />
                <add key="third-party" value="{thirdParty}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "compression-app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="WarpDrive" Version="{packed.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.Copy(Path.Combine(packed.RepositoryRoot, "samples", "WarpDrive.Samples.Compression", "Program.cs"), Path.Combine(app, "Program.cs"));
        string run = Directory.CreateDirectory(Path.Combine(packed.Directory, "app-run")).FullName;
        Dictionary<string, string> environment = new() { ["NUGET_PACKAGES"] = Path.Combine(packed.Directory, "nuget-cache"), ["WD_RUN_DIR"] = run, ["WD_STATS"] = "0" };
        (int code, string text) = PackageCommand.Run(app, "dotnet", ["run", "-c", "Release"], environment);
        output.WriteLine(text);
        Assert.True(code == 0, $"dotnet run exited {code}:\n{text}");
        Assert.Matches(@"session: Ok, 1288889 -> \d+ bytes on zip-0 \(in-process\)", text);
        Assert.Contains("round trip: same", text, StringComparison.Ordinal);

        string assets = File.ReadAllText(Path.Combine(app, "obj", "project.assets.json"));
        Assert.DoesNotContain("BouncyCastle", assets, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("WarpDrive.Devices.Crypto", assets, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(app, "bin", "Release", "net10.0", "BouncyCastle.Cryptography.dll")));
    }

    private Dictionary<string, string> Dependencies(string id)
    {
        using ZipArchive package = ZipFile.OpenRead(packed.PackagePath(id));
        XElement metadata = Metadata(package, id);
        XNamespace ns = metadata.Name.Namespace;
        return metadata.Element(ns + "dependencies")?.Descendants(ns + "dependency")
            .ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value) ?? [];
    }

    [Fact]
    public void LibwdPackageHasItsDllDocsReadmeMetadataAndDependenciesAtOneVersion()
    {
        AssertPacked();
        using ZipArchive libwd = ZipFile.OpenRead(packed.PackagePath("WarpDrive"));
        string[] entries = [.. libwd.Entries.Select(e => e.FullName)];
        Assert.Contains("lib/net10.0/WarpDrive.dll", entries);
        Assert.Contains("lib/net10.0/WarpDrive.xml", entries);
        Assert.Contains("README.md", entries);

        XElement metadata = Metadata(libwd, "WarpDrive");
        XNamespace ns = metadata.Name.Namespace;
        XElement group = Assert.Single(metadata.Element(ns + "dependencies")!.Elements(ns + "group"));
        Assert.Equal("net10.0", group.Attribute("targetFramework")?.Value);
        Dictionary<string, string> dependencies = group.Elements(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        Assert.Equal(["WarpDrive.Abi", "WarpDrive.Devices", "WarpDrive.Platform"], dependencies.Keys.Order(StringComparer.Ordinal));
        Assert.All(dependencies.Values, v => Assert.Equal(packed.Version, v));
    }

    [Fact]
    public void EveryPackageHasReadmeDocsLicenseAuthorsDescriptionAndSourceLinkRepository()
    {
        AssertPacked();
        bool git = Path.Exists(Path.Combine(packed.RepositoryRoot, ".git"));
        foreach (string id in s_libraries.Append("WarpDrive.Cli"))
        {
            using ZipArchive package = ZipFile.OpenRead(packed.PackagePath(id));
            XElement metadata = Metadata(package, id);
            XNamespace ns = metadata.Name.Namespace;
            Assert.Equal(packed.Version, metadata.Element(ns + "version")?.Value);
            Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);
            Assert.NotNull(package.GetEntry("README.md"));
            XElement license = metadata.Element(ns + "license")!;
            Assert.Equal("expression", license.Attribute("type")?.Value);
            Assert.False(string.IsNullOrWhiteSpace(license.Value), $"{id}: no license expression");
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "authors")?.Value), $"{id}: no authors");
            Assert.False(string.IsNullOrWhiteSpace(metadata.Element(ns + "description")?.Value), $"{id}: no description");
            XElement repository = metadata.Element(ns + "repository")!;
            Assert.Equal("git", repository.Attribute("type")?.Value);
            Assert.StartsWith("https://", repository.Attribute("url")?.Value, StringComparison.Ordinal);
            if (git)
            {
                // Source Link's commit (a checkout without .git, a source tarball, has none to give).
                Assert.Matches("^[0-9a-f]{40}$", repository.Attribute("commit")?.Value ?? "");
            }

            if (id != "WarpDrive.Cli")
            {
                Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.dll"));
                Assert.NotNull(package.GetEntry($"lib/net10.0/{id}.xml"));
            }

            using ZipArchive symbols = ZipFile.OpenRead(packed.PackagePath(id, "snupkg"));
            Assert.Contains(symbols.Entries, e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal));
        }
    }

    private void AssertPacked() =>
        Assert.True(packed.PackResult.Code == 0, $"scripts/pack.sh --no-build exited {packed.PackResult.Code}:\n{packed.PackResult.Output}");

    private static XElement Metadata(ZipArchive package, string id)
    {
        ZipArchiveEntry nuspec = package.GetEntry($"{id}.nuspec") ?? throw new InvalidOperationException($"no {id}.nuspec in the package");
        using Stream stream = nuspec.Open();
        XElement root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }
}

/// <summary>Runs <c>dotnet pack</c>, <c>dotnet tool install</c> and the installed tool as real processes, output and
/// errors together, at most 5 minutes each.</summary>
internal static class PackageCommand
{
    public static (int Code, string Output) Run(string workingDirectory, string file, IEnumerable<string> args, Dictionary<string, string>? environment = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (string arg in args)
        {
            psi.ArgumentList.Add(arg);
        }

        // No MSBuild or compiler server left running after the test, no first-run banner or telemetry.
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // The tool's launcher finds the runtime through DOTNET_ROOT: the installation running these tests
        // (<root>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll).
        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is null)
        {
            psi.Environment["DOTNET_ROOT"] = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "..", "..", ".."));
        }

        foreach ((string key, string value) in environment ?? [])
        {
            psi.Environment[key] = value;
        }

        using Process process = Process.Start(psi)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"{file} {string.Join(' ', args)} did not finish within 5 minutes:\n{stdout.Result}{stderr.Result}");
        }

        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
