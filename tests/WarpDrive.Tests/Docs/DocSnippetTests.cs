using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using WarpDrive.Tests.Packaging;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Docs;

/// <summary>Every <c>```csharp</c> block of README.md, docs/*.md and the packages' src/*/README.md compiles against
/// the libraries (issue 20). A block is compiled as a method body (or, when it declares a type, as members of a
/// namespace) with its <c>using</c> directives hoisted, in a project outside the repository that references the
/// built assemblies. An HTML comment on the line before a block steers it: <c>&lt;!-- snippet: prelude CODE --&gt;</c>
/// puts CODE (declarations of the variables the prose leaves out; <c>using</c> directives hoisted) before the block,
/// and <c>&lt;!-- snippet: partial (why) --&gt;</c> skips a block that is deliberately partial (keep those rare).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed partial class DocSnippetTests(ITestOutputHelper output)
{
    private static readonly string[] s_assemblies =
        ["WarpDrive.Abi", "WarpDrive.Platform", "WarpDrive.Devices", "WarpDrive.Devices.Crypto", "WarpDrive", "WarpDrive.AspNetCore"];

    [GeneratedRegex(@"(?:^<!-- snippet: (?<kind>prelude|partial)(?<arg>.*?)-->\n)?^```csharp\n(?<code>.*?)^```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex Block();

    [GeneratedRegex(@"^\s*using\s+(static\s+)?[\w.]+(\s*=\s*[\w.<>]+)?\s*;\s*$")]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"\W")]
    private static partial Regex NonWord();

    [GeneratedRegex(@"using\s+[\w.]+\s*;")]
    private static partial Regex InlineUsing();

    [GeneratedRegex(@"^(public |internal )?(sealed |abstract |static )*(partial )?(class|struct|record|interface|enum) ", RegexOptions.Multiline)]
    private static partial Regex TypeDeclaration();

    internal static string RepositoryRoot()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root.FullName, "WarpDrive.slnx")))
        {
            root = root.Parent ?? throw new InvalidOperationException("repository root not found");
        }

        return root.FullName;
    }

    [Fact]
    public void EveryCsharpBlockOfTheDocsCompiles()
    {
        string root = RepositoryRoot();
        string configuration = typeof(DocSnippetTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration;
        IEnumerable<string> docs = [Path.Combine(root, "README.md"), .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md"),
            .. Directory.GetDirectories(Path.Combine(root, "src")).Select(d => Path.Combine(d, "README.md")).Where(File.Exists)];
        string project = Directory.CreateTempSubdirectory("wd-snippets-").FullName;
        try
        {
            int compiled = 0, partial = 0;
            foreach (string doc in docs.Order(StringComparer.Ordinal))
            {
                string name = NonWord().Replace(Path.GetRelativePath(root, doc), "_");
                int index = 0;
                foreach (Match m in Block().Matches(File.ReadAllText(doc).ReplaceLineEndings("\n")))
                {
                    index++;
                    if (m.Groups["kind"].Value == "partial")
                    {
                        partial++;
                        continue;
                    }

                    string prelude = m.Groups["kind"].Value == "prelude" ? m.Groups["arg"].Value : "";
                    File.WriteAllText(Path.Combine(project, $"{name}_{index}.cs"), Wrap($"{name}_{index}", prelude, m.Groups["code"].Value));
                    compiled++;
                }
            }

            string references = string.Join("\n", s_assemblies.Select(a =>
                $"""    <Reference Include="{Path.Combine(root, "src", a, "bin", configuration, "net10.0", a + ".dll")}" />"""));
            File.WriteAllText(Path.Combine(project, "Snippets.csproj"), $"""
                <Project Sdk="Microsoft.NET.Sdk.Web">
                  <PropertyGroup>
                    <TargetFramework>net10.0</TargetFramework>
                    <OutputType>Library</OutputType>
                    <Nullable>enable</Nullable>
                    <ImplicitUsings>enable</ImplicitUsings>
                  </PropertyGroup>
                  <ItemGroup>
                {references}
                  </ItemGroup>
                </Project>
                """);
            (int code, string log) = PackageCommand.Run(project, "dotnet", ["build", "-nologo", "-v", "q", "-clp:ErrorsOnly"]);
            output.WriteLine($"{compiled} blocks compiled, {partial} marked partial");
            Assert.True(code == 0, $"the docs' C# blocks do not compile (file names are doc_block):\n{log}");
            Assert.True(compiled >= 8, $"only {compiled} blocks found");
            Assert.True(partial <= 3, $"{partial} blocks marked partial: keep that rare");
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    /// <summary>One block as a compilation unit: usings (the prelude's and the block's) first, then a type-declaring
    /// block at namespace level or any other block as the body of an async method with <c>args</c> in scope.</summary>
    private static string Wrap(string name, string prelude, string code)
    {
        var usings = new StringBuilder();
        foreach (Match u in InlineUsing().Matches(prelude))
        {
            usings.AppendLine(u.Value);
        }

        prelude = InlineUsing().Replace(prelude, "").Trim();
        var body = new StringBuilder();
        foreach (string line in code.Split('\n'))
        {
            (UsingDirective().IsMatch(line) ? usings : body).AppendLine(line);
        }

        return TypeDeclaration().IsMatch(body.ToString())
            ? $"{usings}namespace DocSnippets.{name};\n{prelude}\n{body}"
            : $"{usings}namespace DocSnippets;\n\ninternal static class {name}\n{{\n    public static async Task Run(string[] args)\n    {{\n        {prelude}\n{body}\n        await Task.CompletedTask;\n    }}\n}}\n";
    }
}
