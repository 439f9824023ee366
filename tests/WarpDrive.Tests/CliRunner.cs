using System.Diagnostics;

namespace WarpDrive.Tests;

/// <summary>Runs real executables through <c>/bin/sh</c> for the CLI tests: <c>wd</c> itself and the tools whose
/// output it must match (gzip, sha256sum, openssl).</summary>
internal static class CliRunner
{
    public static (int Code, string Stdout, string Stderr) Run(string file, string args, string? stdinFile = null, string? stdoutFile = null, Dictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        string redirect = (stdinFile is null ? "" : $" < '{stdinFile}'") + (stdoutFile is null ? "" : $" > '{stdoutFile}'");
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add($"{file} {args}{redirect}");
        foreach ((string k, string v) in env ?? [])
        {
            psi.Environment[k] = v;
        }

        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        string stderr = p.StandardError.ReadToEnd();
        Assert.True(p.WaitForExit(120_000), $"{file} {args} did not finish");
        return (p.ExitCode, stdout.Result, stderr);
    }

    /// <summary>Pipes <paramref name="input"/> through <paramref name="file"/> (e.g. <c>gzip -d</c>) and returns what it
    /// wrote to stdout; a non-zero exit fails the test with its stderr.</summary>
    public static async Task<byte[]> PipeAsync(string file, string args, byte[] input)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process p = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var stdout = new MemoryStream();
        Task copy = p.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        Task<string> stderr = p.StandardError.ReadToEndAsync(timeout.Token);
        await p.StandardInput.BaseStream.WriteAsync(input, timeout.Token);
        p.StandardInput.Close();
        await copy;
        await p.WaitForExitAsync(timeout.Token);
        Assert.True(p.ExitCode == 0, $"{file} {args} exited with {p.ExitCode}: {await stderr}");
        return stdout.ToArray();
    }

    /// <summary>Runs <c>wd</c> (the wd.dll built beside the tests).</summary>
    public static (int Code, string Stdout, string Stderr) Wd(string args, string? stdinFile = null, string? stdoutFile = null, Dictionary<string, string>? env = null) =>
        Run($"dotnet '{Path.Combine(AppContext.BaseDirectory, "wd.dll")}'", args, stdinFile, stdoutFile, env);
}
