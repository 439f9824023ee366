using System.CommandLine;

namespace WarpDrive.Cli;

/// <summary><c>--device NAME</c> and <c>--mode local|broker|kernel|auto</c>: which devices a command uses. Without them,
/// <see cref="WdRuntime.Default"/> (its environment: WD_MODE, WD_DEVICE, WD_RUN_DIR, WD_EMBEDDED).</summary>
internal sealed class DeviceSelection
{
    private readonly Option<string?> _device = new("--device") { Description = "Use only this device (e.g. zip-0)" };
    private readonly Option<string?> _mode;

    /// <summary>Adds the options to <paramref name="command"/>: <c>--mode</c> is also <c>-m</c> unless
    /// <paramref name="shortMode"/> is false (lz4's <c>-m</c> is its own).</summary>
    public DeviceSelection(Command command, bool withDevice = true, bool shortMode = true)
    {
        _mode = new("--mode", shortMode ? ["-m"] : [])
        {
            Description = "Devices to use: local (in-process), broker (wdd), kernel (uacce hardware) or auto (all; kernel devices are preferred, then the broker's)",
        };
        _mode.AcceptOnlyFromAmong("local", "broker", "kernel", "auto");
        if (withDevice)
        {
            command.Add(_device);
        }

        command.Add(_mode);
    }

    /// <summary>Runs <paramref name="action"/> on the runtime the parsed options ask for (a bad mode is a usage
    /// error), and disposes that runtime unless it is the default.</summary>
    public int Run(ParseResult parse, Func<WdRuntime, int> action)
    {
        WdRuntime runtime;
        try
        {
            runtime = CreateRuntime(parse);
        }
        catch (ArgumentException e)
        {
            return CliError.Usage(e.Message);
        }
        catch (WdConfigurationException e)
        {
            return CliError.Report(null, e); // a WD_<ALG>_* variable that does not parse: the message names it
        }

        try
        {
            return action(runtime);
        }
        finally
        {
            if (runtime != WdRuntime.Default)
            {
                runtime.Dispose();
            }
        }
    }

    private WdRuntime CreateRuntime(ParseResult parse)
    {
        string? device = parse.GetValue(_device);
        string? mode = parse.GetValue(_mode);
        if (device is null && mode is null)
        {
            return WdRuntime.Default;
        }

        WdRuntimeOptions environment = WdRuntimeOptions.FromEnvironment();
        return new WdRuntime(new WdRuntimeOptions
        {
            EmbeddedDevices = environment.EmbeddedDevices,
            EmbeddedZipEngine = environment.EmbeddedZipEngine,
            Mode = mode is null ? environment.Mode : WdRuntimeOptions.ParseMode(mode),
            DeviceName = device ?? environment.DeviceName,
            Uacce = environment.Uacce,
        });
    }
}
