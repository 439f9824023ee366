using System.CommandLine;
using System.Text.Json;
using Spectre.Console;
using WarpDrive.Abi;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Cli;

/// <summary><c>wd list [--json]</c>: devices and their attributes.</summary>
internal static class ListCommand
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = true };

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print the devices as JSON" };
        var command = new Command("list", "List devices and their attributes (uacce names) and where each comes from: kernel (uacce hardware), broker or in-process") { json };
        var selection = new DeviceSelection(command, withDevice: false);
        command.SetAction(parse => selection.Run(parse, runtime =>
        {
            try
            {
                IReadOnlyList<WdDeviceInfo> devices = runtime.Devices;
                if (devices.Count == 0)
                {
                    throw new WdDeviceNotFoundException(runtime.Options.Mode switch
                    {
                        WdDeviceMode.Broker => $"no devices: no broker runs in {Platform.RunDirectory.Resolve(runtime.Options.BrokerRunDirectory)}",
                        WdDeviceMode.Local => "no devices: embedded devices are off (WD_EMBEDDED=0)",
                        WdDeviceMode.Kernel => $"no devices: no uacce device with a driver in {runtime.Options.Uacce.ClassDirectory}",
                        _ => $"no devices: embedded devices are off (WD_EMBEDDED=0) and no broker runs in {Platform.RunDirectory.Resolve(runtime.Options.BrokerRunDirectory)}",
                    });
                }

                if (parse.GetValue(json))
                {
                    var doc = devices.Select(d => new { name = d.Name, location = d.Location, attributes = d.Attributes });
                    Console.Out.WriteLine(JsonSerializer.Serialize(doc, s_json));
                    return ExitCodes.Ok;
                }

                var table = new Table().AddColumns("name", "location", DeviceAttributeNames.Api, DeviceAttributeNames.Flags,
                    DeviceAttributeNames.Algorithms, DeviceAttributeNames.AvailableInstances, "engine", DeviceAttributeNames.Isolate);
                foreach (WdDeviceInfo d in devices)
                {
                    table.AddRow(Markup.Escape(d.Name), d.Location, d.Api, Attr(d, DeviceAttributeNames.Flags), Attr(d, DeviceAttributeNames.Algorithms),
                        Attr(d, DeviceAttributeNames.AvailableInstances), Engines(d), Attr(d, DeviceAttributeNames.Isolate));
                }

                if (Console.IsOutputRedirected)
                {
                    AnsiConsole.Profile.Width = Math.Max(AnsiConsole.Profile.Width, 160); // no terminal to fit
                }

                AnsiConsole.Write(table);
                if (EngineNote.For(devices) is { } note)
                {
                    Console.Out.WriteLine($"note: {note}");
                }

                return ExitCodes.Ok;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return CliError.Report(null, e);
            }
        }));
        return command;
    }

    private static string Attr(WdDeviceInfo device, string name) => Markup.Escape(device.Attributes.GetValueOrDefault(name, "-"));

    /// <summary>The engine column: the device's engine, then (ZIP) its zstd and LZ4 engines: <c>isal,libzstd,liblz4</c>.</summary>
    private static string Engines(WdDeviceInfo device) =>
        device.Attributes.TryGetValue(ZipDevice.FrameEnginesAttribute, out string? frames)
            ? $"{Attr(device, "engine")},{Markup.Escape(frames)}"
            : Attr(device, "engine");
}
