using System.Diagnostics;
using System.Runtime.InteropServices;

namespace WarpDrive.Tests;

/// <summary>Compiles a C program that prints <c>name=value</c> lines for the architecture of this test process, runs
/// it and returns what it printed: the kernel's and the C library's own answer to what the platform layer spells out
/// in C#. On x64 (and on a real arm64 machine) with the host's <c>cc</c>; in an arm64 test process under qemu-user on
/// an x64 host (scripts/test-arm64.sh) with the aarch64 cross compiler, whose program binfmt_misc runs under qemu too
/// (scripts/setup.sh installs gcc-aarch64-linux-gnu and libc6-dev-arm64-cross).</summary>
internal static class NativeProbe
{
    private const string CrossArm64 = "aarch64-linux-gnu-gcc";

    /// <summary>The compiler whose programs run on this process's architecture.</summary>
    public static string Compiler => IsEmulatedArm64() && OnPath(CrossArm64) ? CrossArm64 : "cc";

    /// <summary>Compiles <paramref name="source"/> (C11, warnings are errors), runs it and parses its lines.</summary>
    public static Dictionary<string, string> Run(string source)
    {
        string directory = Directory.CreateTempSubdirectory("wd-probe-").FullName;
        try
        {
            string file = Path.Combine(directory, "probe.c"), binary = Path.Combine(directory, "probe");
            File.WriteAllText(file, source);
            Execute(Compiler, ["-std=c11", "-Wall", "-Werror", "-o", binary, file]);
            return Execute(binary, []).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split('=', 2))
                .ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    // An arm64 process on an x86 host (qemu-user passes the host's /proc/cpuinfo through): an arm64 kernel's names the
    // "CPU implementer" of each core.
    private static bool IsEmulatedArm64() =>
        RuntimeInformation.ProcessArchitecture == Architecture.Arm64 && !File.ReadAllText("/proc/cpuinfo").Contains("CPU implementer", StringComparison.Ordinal);

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => d.Length > 0 && File.Exists(Path.Combine(d, name)));

    private static string Execute(string file, string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        args.ToList().ForEach(psi.ArgumentList.Add);
        using Process process = Process.Start(psi)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} exited with {process.ExitCode}: {stderr.Result}");
        return stdout;
    }
}
