namespace WarpDrive.Tests;

/// <summary>Two directories holding the same files, one for a real tool (gzip, zstd, lz4) and one for the <c>wd</c>
/// command of the same name: the same command line runs in each, then the tests compare exit codes, the files left
/// behind and what each tool reads of the other's output.</summary>
internal sealed class SideBySide : IDisposable
{
    /// <summary>The mtime of the files <see cref="Put"/> writes: an old one, so that a kept time shows.</summary>
    public static readonly DateTime Time = new(2021, 3, 4, 5, 6, 7, DateTimeKind.Utc);

    /// <summary>Makes the two directories; <paramref name="tool"/> names them.</summary>
    public SideBySide(string tool)
    {
        Tool = Directory.CreateTempSubdirectory($"wd-{tool}-tool-").FullName;
        Wd = Directory.CreateTempSubdirectory($"wd-{tool}-wd-").FullName;
    }

    /// <summary>The real tool's directory.</summary>
    public string Tool { get; }

    /// <summary>wd's directory.</summary>
    public string Wd { get; }

    /// <summary>How the tests start wd.</summary>
    public static string WdDll => $"dotnet '{Path.Combine(AppContext.BaseDirectory, "wd.dll")}'";

    public void Dispose()
    {
        Directory.Delete(Tool, recursive: true);
        Directory.Delete(Wd, recursive: true);
    }

    /// <summary>Writes <paramref name="name"/> into both directories, mode 0640 and mtime <see cref="Time"/>.</summary>
    public void Put(string name, byte[] data)
    {
        foreach (string dir in (string[])[Tool, Wd])
        {
            string path = Path.Combine(dir, name);
            File.WriteAllBytes(path, data);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
            File.SetLastWriteTimeUtc(path, Time);
        }
    }

    /// <summary>Makes the special entry <paramref name="name"/> in both directories: <c>dir</c> a directory, <c>link</c>
    /// a symbolic link to <c>a</c>; false for any other name (a file for <see cref="Put"/>).</summary>
    public bool TryPutSpecial(string name)
    {
        if (name is not ("dir" or "link"))
        {
            return false;
        }

        foreach (string dir in (string[])[Tool, Wd])
        {
            if (name == "dir")
            {
                Directory.CreateDirectory(Path.Combine(dir, "dir"));
            }
            else
            {
                File.CreateSymbolicLink(Path.Combine(dir, "link"), "a");
            }
        }

        return true;
    }

    /// <summary>Runs <c>TOOL ARGS</c> in the tool's directory and <c>wd TOOL ARGS</c> in wd's, standard input and
    /// output redirected from and to files of each directory when named.</summary>
    public ((int Code, string Stdout, string Stderr) Tool, (int Code, string Stdout, string Stderr) Wd) Run(string tool, string args,
        string? stdin = null, string? stdout = null) =>
        (CliRunner.Run($"cd '{Tool}' && {tool}", args, stdin is null ? null : Path.Combine(Tool, stdin), stdout is null ? null : Path.Combine(Tool, stdout)),
         CliRunner.Run($"cd '{Wd}' && {WdDll} {tool}", args, stdin is null ? null : Path.Combine(Wd, stdin), stdout is null ? null : Path.Combine(Wd, stdout)));

    /// <summary>The files of a directory (temporary outputs included: they start with a dot).</summary>
    public static string[] Listing(string dir) =>
        [.. Directory.GetFiles(dir, "*", new EnumerationOptions { AttributesToSkip = 0 }).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    /// <summary>The contents of the files of a directory that are not symbolic links.</summary>
    public static Dictionary<string, byte[]> Contents(string dir) =>
        Directory.GetFiles(dir, "*", new EnumerationOptions { AttributesToSkip = 0 })
            .Where(f => new FileInfo(f).LinkTarget is null)
            .ToDictionary(f => Path.GetFileName(f)!, File.ReadAllBytes);
}
