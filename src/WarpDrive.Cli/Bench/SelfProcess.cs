using System.Diagnostics;

namespace WarpDrive.Cli.Bench;

/// <summary>Starts this same <c>wd</c> as a child process (the private broker, the socket server): through its apphost
/// when it runs as one, else <c>dotnet wd.dll</c>.</summary>
internal static class SelfProcess
{
    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        string? host = Environment.ProcessPath;
        bool viaDotnet = host is null || Path.GetFileNameWithoutExtension(host) == "dotnet";
        var psi = new ProcessStartInfo(viaDotnet ? host ?? "dotnet" : host!)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (viaDotnet)
        {
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "wd.dll"));
        }

        foreach (string argument in arguments)
        {
            psi.ArgumentList.Add(argument);
        }

        return psi;
    }
}
