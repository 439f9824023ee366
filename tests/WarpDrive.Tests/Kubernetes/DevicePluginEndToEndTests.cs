using System.Diagnostics;
using System.Text;
using WarpDrive.Kubernetes.DevicePluginApi;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Kubernetes;

/// <summary>Kubernetes without a cluster: a node's wdd (with <c>require_allocation</c>) and the device plugin, a
/// kubelet stand-in that allocates a unit to each of two "containers", and the containers: <c>wd compress</c>
/// processes in mount and pid namespaces of their own (<c>unshare --mount --pid --mount-proc</c>: the broker's pid
/// means nothing there) where the node's <c>/run</c> and <c>/tmp</c> (and
/// so its run directory and allocation files) are hidden under empty tmpfs mounts and only the mounts Allocate
/// returned are bound in, run with nothing in their environment but Allocate's variables (and PATH and HOME). They
/// compress at the same time through the node's wdd; the host's file system stands in for the image.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class DevicePluginEndToEndTests(ITestOutputHelper output)
{
    [RootFact]
    public async Task TwoContainersCompressThroughTheNodesBrokerWithOnlyWhatAllocateGaveThem()
    {
        const string config = """{ "limits": { "require_allocation": true }, "devices": [ { "name": "zip-0", "queues": 4, "reserved_queues": 0 } ] }""";
        await using BrokerProcess broker = await BrokerProcess.StartAsync(config, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output);
        RegisterRequest registration = await kubelet.NextRegistrationAsync(TimeSpan.FromSeconds(10));
        DevicePlugin.DevicePluginClient client = kubelet.Dial(registration, out IDisposable channel);
        AllocateResponse allocated;
        using (channel)
        {
            allocated = await client.AllocateAsync(new AllocateRequest
            {
                ContainerRequests =
                {
                    new ContainerAllocateRequest { DevicesIds = { "zip-0.q0" } },
                    new ContainerAllocateRequest { DevicesIds = { "zip-0.q1" } },
                },
            });
        }

        byte[][] inputs = [TestData.Text(1 << 20, seed: 1), TestData.Text(300_000, seed: 2)];
        (int Code, byte[] Stdout, string Stderr)[] results = await Task.WhenAll(
            allocated.ContainerResponses.Select((container, i) => RunContainerAsync(container, broker, inputs[i])));
        for (int i = 0; i < results.Length; i++)
        {
            output.WriteLine($"container {i}: exit {results[i].Code}, {results[i].Stdout.Length} bytes out\n{results[i].Stderr}");
            Assert.True(results[i].Code == 0, $"container {i} failed: {results[i].Stderr}");
            Assert.Contains("view: only what Allocate mounted", results[i].Stderr, StringComparison.Ordinal);
            Assert.Equal(inputs[i], BrokerTestKit.Gunzip(results[i].Stdout));
        }

        // Each went through its own allocation: the broker served two claiming clients.
        Assert.True(await broker.LoggedAsync("connected to zip-0"));
        Assert.Equal(2, plugin.Host.Allocations.Entries.Count);
    }

    /// <summary>Runs <c>wd compress</c> in a new mount namespace with the container's mounts and environment.</summary>
    private static async Task<(int Code, byte[] Stdout, string Stderr)> RunContainerAsync(ContainerAllocateResponse container, BrokerProcess broker, byte[] input)
    {
        var script = new StringBuilder("set -eu\n");
        // What the node has that no container may see: its /run and /tmp (the run directory, the allocation files).
        script.Append("mount --make-rprivate /\nmount -t tmpfs tmpfs /run\n");
        foreach (Mount mount in container.Mounts)
        {
            script.Append($"mkdir -p {Quote(mount.ContainerPath)}\nmount --bind {Quote(mount.HostPath)} {Quote(mount.ContainerPath)}\n");
            if (mount.ReadOnly)
            {
                script.Append($"mount -o remount,bind,ro {Quote(mount.ContainerPath)}\n");
            }
        }

        // The container's image: wd and its assemblies (the test's own binaries), bound before /tmp is hidden, since a
        // checkout may live under /tmp (CI's clean clone does).
        script.Append($"mkdir -p /run/wd-app\nmount --bind {Quote(Path.GetDirectoryName(BrokerProcess.Binary("wd.dll"))!)} /run/wd-app\n");
        script.Append("mount -t tmpfs tmpfs /tmp\n");
        string runDir = container.Envs["WD_RUN_DIR"];
        string nodeRunDirectory = broker.RunDirectory;
        script.Append($"test ! -e {Quote(nodeRunDirectory)} && test -S {Quote(runDir + "/dev/zip-0")}\n");
        script.Append($"test -z \"$(ls -A {Quote(runDir + "/alloc")})\" && test -z \"$(ls /proc | grep -x {broker.Pid})\"\n");
        script.Append("echo 'view: only what Allocate mounted' >&2\n");
        script.Append("exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp DOTNET_CLI_TELEMETRY_OPTOUT=1");
        foreach ((string name, string value) in container.Envs)
        {
            script.Append($" {name}={Quote(value)}");
        }

        script.Append(" dotnet /run/wd-app/wd.dll compress -o - -\n");

        var psi = new ProcessStartInfo("unshare") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc", "sh", "-c", script.ToString()])
        {
            psi.ArgumentList.Add(arg);
        }

        using Process process = Process.Start(psi)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        var stdout = new MemoryStream();
        Task copy = process.StandardOutput.BaseStream.CopyToAsync(stdout, timeout.Token);
        try
        {
            await process.StandardInput.BaseStream.WriteAsync(input, timeout.Token);
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // It stopped before it read its input: its exit code and stderr say why.
        }

        await copy;
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, stdout.ToArray(), await stderr);
    }

    private static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
