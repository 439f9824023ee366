using System.Reflection;
using System.Text.RegularExpressions;

namespace WarpDrive.Tests;

/// <summary>The layers of docs/ARCHITECTURE.md, checked by reflection over the built assemblies: no assembly reaches up,
/// and the public API of libwd and its ASP.NET Core package names no type of the Devices layer (device models are an
/// implementation detail behind the queue ABI).</summary>
public sealed class ArchitectureTests
{
    /// <summary>Each of our assemblies and the ones of ours it may reference.</summary>
    private static readonly Dictionary<string, string[]> s_layers = new(StringComparer.Ordinal)
    {
        ["WarpDrive.Abi"] = [],
        ["WarpDrive.Platform"] = [],
        ["WarpDrive.Devices"] = ["WarpDrive.Abi", "WarpDrive.Platform"],
        // The crypto models: found by DeviceCatalog through [DeviceModelProvider]; nothing of ours references them.
        ["WarpDrive.Devices.Crypto"] = ["WarpDrive.Abi", "WarpDrive.Platform", "WarpDrive.Devices"],
        ["WarpDrive"] = ["WarpDrive.Abi", "WarpDrive.Platform", "WarpDrive.Devices"],
        ["WarpDrive.AspNetCore"] = ["WarpDrive", "WarpDrive.Abi", "WarpDrive.Platform"],
        ["wdd"] = ["WarpDrive.Abi", "WarpDrive.Platform", "WarpDrive.Devices"],
        ["wd"] = ["WarpDrive", "wdd", "WarpDrive.Abi", "WarpDrive.Platform", "WarpDrive.Devices"],
        // The Kubernetes device plugin reads the run directory and writes allocation files: no libwd, broker or model.
        ["wd-k8s-plugin"] = ["WarpDrive.Abi", "WarpDrive.Platform"],
    };

    private static Assembly Load(string name) => Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, name + ".dll"));

    private static bool IsOurs(string? name) => name is not null && s_layers.ContainsKey(name);

    [Fact]
    public void NoAssemblyReferencesALayerAboveIt()
    {
        var violations = new List<string>();
        foreach ((string name, string[] allowed) in s_layers)
        {
            foreach (AssemblyName reference in Load(name).GetReferencedAssemblies().Where(r => IsOurs(r.Name)))
            {
                if (!allowed.Contains(reference.Name))
                {
                    violations.Add($"{name} references {reference.Name}");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void DeviceCatalogFindsTheCryptoModelsByTheirPackageAttribute()
    {
        // This test assembly carries WarpDrive.Devices.Crypto (through the CLI and the broker), and nothing called into
        // it: the catalog loads it by name and creates its provider from the assembly attribute.
        Assert.Equal(["zip", "sec", "hpre"], WarpDrive.Devices.DeviceCatalog.Models);
        using WarpDrive.Devices.DeviceModel sec = WarpDrive.Devices.DeviceCatalog.Create("sec", "sec-9", WarpDrive.Devices.Engines.DeflateEngine.FromName(null));
        Assert.Equal("WarpDrive.Devices.Sec.SecDevice", sec.GetType().FullName);
        Assert.Throws<ArgumentException>(() => WarpDrive.Devices.DeviceCatalog.Create("gpu", "gpu-0", WarpDrive.Devices.Engines.DeflateEngine.FromName(null)));
    }

    [Theory]
    [InlineData("WarpDrive")]
    [InlineData("WarpDrive.AspNetCore")]
    public void ThePublicApiNamesNoDevicesType(string assembly)
    {
        Assembly devices = Load("WarpDrive.Devices");
        var violations = new List<string>();
        foreach (Type type in Load(assembly).GetExportedTypes())
        {
            foreach ((string where, Type used) in Signature(type))
            {
                if (Names(used, devices))
                {
                    violations.Add($"{type.FullName}.{where}: {used.FullName}");
                }
            }
        }

        Assert.Empty(violations);
    }

    [Fact]
    public void UnsafeIsAllowedOnlyInProjectsWithUnsafeCode()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "WarpDrive.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("WarpDrive.slnx not found above the test binaries");
        }

        Assert.DoesNotContain("<AllowUnsafeBlocks", File.ReadAllText(Path.Combine(root.FullName, "Directory.Build.props")), StringComparison.Ordinal);
        var unsafeCode = new Regex(@"^(?!\s*//).*\bunsafe\b", RegexOptions.Multiline);
        var mismatches = new List<string>();
        foreach (string project in Directory.EnumerateFiles(root.FullName, "*.csproj", SearchOption.AllDirectories))
        {
            string directory = Path.GetDirectoryName(project)!;
            if (directory.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                || directory.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            {
                continue;
            }

            string text = File.ReadAllText(project);
            bool allowed = text.Contains("<AllowUnsafeBlocks>true</AllowUnsafeBlocks>", StringComparison.Ordinal);
            // A project may compile another's sources (tests/WarpDrive.Tests.Arm64: <Compile Include="..\WarpDrive.Tests\**\*.cs" />).
            string[] sourceDirectories = [directory, .. Regex.Matches(text, @"<Compile Include=""([^""*]+)\\\*\*")
                .Select(m => Path.GetFullPath(Path.Combine(directory, m.Groups[1].Value.Replace('\\', Path.DirectorySeparatorChar))))];
            bool used = sourceDirectories.SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                .Any(f => unsafeCode.IsMatch(File.ReadAllText(f)));
            if (allowed != used)
            {
                mismatches.Add($"{Path.GetRelativePath(root.FullName, project)}: AllowUnsafeBlocks {allowed}, unsafe code {used}");
            }
        }

        Assert.Empty(mismatches);
    }

    [Fact]
    public void TheCheckSeesADevicesTypeWhereOneIsNamed()
    {
        // The check itself: a signature of the Devices layer's own public types does name Devices types.
        Assembly devices = Load("WarpDrive.Devices");
        Type host = devices.GetType("WarpDrive.Devices.DeviceHost", throwOnError: true)!;
        Assert.Contains(Signature(host), s => Names(s.Type, devices));
        Assert.True(Names(typeof(List<>).MakeGenericType(host).MakeArrayType(), devices));
    }

    [Fact]
    public void TheDevicesAssemblyHoldsNoHisiliconModel()
    {
        // The HiSilicon ZIP model imitates hardware for the tests only: it lives in tests/WarpDrive.TestSupport, which
        // is not packed. (Its ABI, hisi_qm's SQE and ioctls, is WarpDrive.Abi.Uacce: the driver needs it too.)
        Assert.Empty(Load("WarpDrive.Devices").GetTypes().Where(t => t.FullName!.Contains("Hisi", StringComparison.OrdinalIgnoreCase)).Select(t => t.FullName));
        Assert.Contains(Load("WarpDrive.TestSupport").GetTypes(), t => t.FullName!.Contains("Hisi", StringComparison.Ordinal)); // the check looks at the right name
    }

    /// <summary>Every type a public or protected member of <paramref name="type"/> names, with where.</summary>
    private static IEnumerable<(string Where, Type Type)> Signature(Type type)
    {
        const BindingFlags Visible = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } baseType)
        {
            yield return ("base", baseType);
        }

        foreach (Type i in type.GetInterfaces())
        {
            yield return ("interface", i);
        }

        foreach (MemberInfo member in type.GetMembers(Visible))
        {
            switch (member)
            {
                case FieldInfo f when f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly:
                    yield return (f.Name, f.FieldType);
                    break;
                case PropertyInfo p when p.GetAccessors(nonPublic: true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly):
                    yield return (p.Name, p.PropertyType);
                    break;
                case EventInfo e when e.AddMethod is { } add && (add.IsPublic || add.IsFamily || add.IsFamilyOrAssembly):
                    yield return (e.Name, e.EventHandlerType!);
                    break;
                case MethodBase m when (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && !m.IsSpecialName || m is ConstructorInfo { IsPublic: true }:
                    if (m is MethodInfo method)
                    {
                        yield return (m.Name, method.ReturnType);
                    }

                    foreach (ParameterInfo parameter in m.GetParameters())
                    {
                        yield return ($"{m.Name}({parameter.Name})", parameter.ParameterType);
                    }

                    break;
            }
        }
    }

    /// <summary>Whether <paramref name="type"/>, or an element or generic argument of it, comes from <paramref name="devices"/>.</summary>
    private static bool Names(Type type, Assembly devices)
    {
        if (type.HasElementType)
        {
            return Names(type.GetElementType()!, devices);
        }

        return type.Assembly == devices || (type.IsGenericType && type.GetGenericArguments().Any(a => Names(a, devices)));
    }
}
