using System.Diagnostics;
using System.Text;
using WarpDrive.Abi.Broker;
using WarpDrive.Discovery;
using WarpDrive.Kubernetes;
using WarpDrive.Kubernetes.DevicePluginApi;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;
using WdRunDirectory = WarpDrive.Platform.RunDirectory;

namespace WarpDrive.Tests.Kubernetes;

/// <summary>The device plugin against the kubelet's contract (docs/KUBERNETES.md): a kubelet stand-in built from the
/// same api.proto speaks real gRPC to it over real Unix sockets, and the devices are a real <c>wdd</c>'s.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class DevicePluginContractTests(ITestOutputHelper output)
{
    /// <summary>zip-0 with 4 queues (no reserve: every pod runs as root here), sec-0 with 2.</summary>
    private const string Config = """
        { "devices": [ { "name": "zip-0", "queues": 4, "reserved_queues": 0 }, { "name": "sec-0", "model": "sec", "queues": 2, "reserved_queues": 0 } ] }
        """;

    private static readonly TimeSpan s_registration = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RegistersOneResourcePerDeviceKindAndListsOneHealthyUnitPerQueue()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output);

        RegisterRequest[] registrations = [await kubelet.NextRegistrationAsync(s_registration), await kubelet.NextRegistrationAsync(s_registration)];
        Assert.Equal(["warpdrive.io/sec", "warpdrive.io/zip"], registrations.Select(r => r.ResourceName).Order());
        RegisterRequest zip = registrations.Single(r => r.ResourceName == "warpdrive.io/zip");
        Assert.Equal("v1beta1", zip.Version);
        Assert.Equal("warpdrive-zip.sock", zip.Endpoint);
        Assert.True(zip.Options.GetPreferredAllocationAvailable);
        Assert.False(zip.Options.PreStartRequired);

        DevicePlugin.DevicePluginClient client = kubelet.Dial(zip, out IDisposable channel);
        using (channel)
        {
            DevicePluginOptions options = await client.GetDevicePluginOptionsAsync(new Empty());
            Assert.True(options.GetPreferredAllocationAvailable);
            using var watch = new UnitWatch(client);
            IReadOnlyList<Device> units = await watch.UntilAsync(l => l.Count > 0, "there are units");
            Assert.Equal(["zip-0.q0", "zip-0.q1", "zip-0.q2", "zip-0.q3"], units.Select(u => u.ID));
            Assert.All(units, u => Assert.Equal("Healthy", u.Health));
            Assert.All(units, u => Assert.Null(u.Topology)); // numa_node -1: no topology to report

            await client.PreStartContainerAsync(new PreStartContainerRequest { DevicesIds = { "zip-0.q0" } });
            PreferredAllocationResponse preferred = await client.GetPreferredAllocationAsync(new PreferredAllocationRequest
            {
                ContainerRequests = { new ContainerPreferredAllocationRequest { AvailableDeviceIDs = { "zip-0.q3", "zip-0.q1", "zip-0.q2" }, MustIncludeDeviceIDs = { "zip-0.q2" }, AllocationSize = 2 } },
            });
            Assert.Equal(["zip-0.q2", "zip-0.q1"], preferred.ContainerResponses.Single().DeviceIDs);
        }

        RegisterRequest sec = registrations.Single(r => r.ResourceName == "warpdrive.io/sec");
        DevicePlugin.DevicePluginClient secClient = kubelet.Dial(sec, out IDisposable secChannel);
        using (secChannel)
        {
            using var watch = new UnitWatch(secClient);
            await watch.UntilAsync(l => l.Select(u => u.ID).SequenceEqual(["sec-0.q0", "sec-0.q1"]) && l.All(u => u.Health == "Healthy"), "sec-0 has 2 healthy units");
        }
    }

    [Fact]
    public async Task AQueueTakenOutsideKubernetesMarksAUnitUnhealthyUntilItIsReleased()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output);
        using var watch = new UnitWatch(await DialAsync(kubelet, "warpdrive.io/zip"));
        await watch.UntilAsync(l => l.Count == 4 && l.All(u => u.Health == "Healthy"), "4 units are healthy");

        // A process on the node (no allocation) takes a queue: the scheduler must not count on it.
        using (BrokerConnection outside = BrokerTestKit.Connect(broker))
        {
            Assert.Equal(BrokerStatus.Ok, StartQueue(outside, out _));
            IReadOnlyList<Device> units = await watch.UntilAsync(l => l.Count(u => u.Health == "Unhealthy") == 1, "one unit is unhealthy");
            Assert.Equal("zip-0.q3", units.Single(u => u.Health == "Unhealthy").ID);
        }

        await watch.UntilAsync(l => l.Count == 4 && l.All(u => u.Health == "Healthy"), "all units are healthy again after the release");

        // Queues that an allocation holds are the kubelet's own: they change nothing.
        string token = (await AllocateAsync(kubelet, "zip-0.q0")).Envs[AllocationToken.EnvironmentVariable];
        int lists = watch.Count;
        using BrokerConnection pod = Claim(broker, "zip-0", token);
        Assert.Equal(BrokerStatus.Ok, StartQueue(pod, out _));
        await Task.Delay(500); // ten scans
        Assert.All(watch.Latest!, u => Assert.Equal("Healthy", u.Health));
        Assert.Equal(lists, watch.Count);
    }

    [Fact]
    public async Task AllocateMountsTheRunDirectoryAndGivesATokenTheBrokerEnforces()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output, containerRunDirectory: "/run/wd");

        ContainerAllocateResponse container = await AllocateAsync(kubelet, "zip-0.q1", "zip-0.q2");
        Assert.Equal("/run/wd", container.Envs["WD_RUN_DIR"]);
        Assert.Equal("zip-0", container.Envs["WD_DEVICE"]);
        Assert.Equal("broker", container.Envs["WD_MODE"]);
        Assert.True(AllocationToken.TryParse(container.Envs[AllocationToken.EnvironmentVariable], out _));
        // The run directory, and an empty directory over its allocation files (the tokens of every pod).
        string empty = Path.Combine(WdRunDirectory.AllocationDirectory(broker.RunDirectory), ".empty");
        Assert.Equal([(broker.RunDirectory, "/run/wd", true), (empty, "/run/wd/alloc", true)], container.Mounts.Select(m => (m.HostPath, m.ContainerPath, m.ReadOnly)));
        Assert.Empty(Directory.GetFileSystemEntries(empty));
        Assert.Empty(container.Devices); // no kernel device on this node

        // The allocation file the broker reads: two units of zip-0, two queues; mode 0600 in a 0700 directory.
        string token = container.Envs[AllocationToken.EnvironmentVariable];
        string file = Path.Combine(WdRunDirectory.AllocationDirectory(broker.RunDirectory), token);
        Assert.Equal("zip-0 2\n", await File.ReadAllTextAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.GetDirectoryName(file)!));

        // The pod's processes together hold at most its two queues; the third is refused by the broker.
        using BrokerConnection first = Claim(broker, "zip-0", token);
        using BrokerConnection second = Claim(broker, "zip-0", token);
        using BrokerConnection third = Claim(broker, "zip-0", token);
        Assert.Equal(BrokerStatus.Ok, StartQueue(first, out _));
        Assert.Equal(BrokerStatus.Ok, StartQueue(second, out _));
        Assert.Equal(BrokerStatus.NoQueue, StartQueue(third, out string? refusal));
        output.WriteLine($"third queue: {refusal}");
        Assert.Matches(@"^allocation [0-9a-f]{8}\.\.\. holds 2 of its 2 queue\(s\) of zip-0$", refusal);
        Assert.Equal("2", broker.ReadAttribute("zip-0", "available_instances")); // free queues there were: not for this pod

        // It was allocated no sec-0 queue.
        using (BrokerConnection sec = Claim(broker, "sec-0", token))
        {
            Assert.Equal(BrokerStatus.NoQueue, StartQueue(sec, out string? secRefusal));
            Assert.Contains("holds 0 of its 0 queue(s) of sec-0", secRefusal, StringComparison.Ordinal);
        }

        // A released queue is the pod's to take again.
        first.Dispose();
        Assert.True(await BrokerTestKit.EventuallyAsync(() => StartQueue(third, out _) == BrokerStatus.Ok, TimeSpan.FromSeconds(2), intervalMs: 50),
            "the pod's third connection got no queue after its first was released");

        // A token nobody allocated is refused, as is a claim after START_Q.
        using BrokerConnection stranger = BrokerTestKit.Connect(broker);
        Assert.Equal(BrokerStatus.BadHandle, BrokerTestKit.Call(stranger, BrokerOp.Claim, out _, out string? unknown, 1, 2).Status);
        output.WriteLine($"unknown token: {unknown}");
        Assert.Equal(BrokerStatus.Ok, StartQueue(stranger, out _));
        Assert.True(AllocationToken.TryParse(token, out AllocationToken parsed));
        Assert.Equal(BrokerStatus.AlreadyStarted, BrokerTestKit.Call(stranger, BrokerOp.Claim, parsed.Low, parsed.High).Status);
    }

    [Fact]
    public async Task AnAllocationEndsWhenTheKubeletAllocatesItsUnitsAgain()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output);

        string old = (await AllocateAsync(kubelet, "zip-0.q0")).Envs[AllocationToken.EnvironmentVariable];
        using BrokerConnection oldPod = Claim(broker, "zip-0", old);

        // The kubelet gives zip-0.q0 to a new container: the old pod is gone, its allocation with it.
        string renewed = (await AllocateAsync(kubelet, "zip-0.q0")).Envs[AllocationToken.EnvironmentVariable];
        Assert.NotEqual(old, renewed);
        Assert.False(File.Exists(Path.Combine(WdRunDirectory.AllocationDirectory(broker.RunDirectory), old)));
        Assert.Equal(BrokerStatus.QueueLimit, StartQueue(oldPod, out string? removed));
        Assert.Contains("was removed", removed, StringComparison.Ordinal);
        using (BrokerConnection late = BrokerTestKit.Connect(broker))
        {
            Assert.True(AllocationToken.TryParse(old, out AllocationToken token));
            Assert.Equal(BrokerStatus.BadHandle, BrokerTestKit.Call(late, BrokerOp.Claim, token.Low, token.High).Status);
        }

        using BrokerConnection newPod = Claim(broker, "zip-0", renewed);
        Assert.Equal(BrokerStatus.Ok, StartQueue(newPod, out _));
        Assert.Single(plugin.Host.Allocations.Entries);

        // A plugin restarted on the node finds the allocation again.
        Assert.Equal(renewed, Assert.Single(new AllocationStore(broker.RunDirectory).Entries).Token.ToString());
    }

    [Fact]
    public async Task UnderRequireAllocationOnlyAClientWithItsPodsTokenGetsAQueue()
    {
        const string config = """{ "limits": { "require_allocation": true }, "devices": [ { "name": "zip-0", "queues": 4, "reserved_queues": 0 } ] }""";
        await using BrokerProcess broker = await BrokerProcess.StartAsync(config, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output);

        using (BrokerConnection bare = BrokerTestKit.Connect(broker))
        {
            Assert.Equal(BrokerStatus.QueueLimit, StartQueue(bare, out string? refusal));
            Assert.Equal("this broker starts queues only for allocated clients (require_allocation): set WD_ALLOCATION", refusal);
        }

        // libwd presents WD_ALLOCATION by itself: a client process with the pod's environment runs a request, one
        // without it gets no queue.
        string token = (await AllocateAsync(kubelet, "zip-0.q0")).Envs[AllocationToken.EnvironmentVariable];
        await using (ChildProcess pod = ChildProcess.Start(broker.RunDirectory, "WarpDrive.TestClient.dll", ["queue"],
            environment: new Dictionary<string, string> { [AllocationToken.EnvironmentVariable] = token, ["WD_MODE"] = "broker" }))
        {
            Assert.True(await pod.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, $"the allocated client failed: {pod.Stderr}");
            Assert.StartsWith("ok zip-0 ", await pod.ReadLineAsync(TimeSpan.FromSeconds(5)), StringComparison.Ordinal);
        }

        await using ChildProcess stranger = ChildProcess.Start(broker.RunDirectory, "WarpDrive.TestClient.dll", ["queue"],
            environment: new Dictionary<string, string> { ["WD_MODE"] = "broker" });
        Assert.NotEqual(0, await stranger.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("require_allocation", stranger.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnIsolatedDeviceIsUnhealthy()
    {
        const string config = """{ "devices": [ { "name": "zip-0", "queues": 2, "fault_injection": 1, "isolate_strategy": 1 } ] }""";
        await using BrokerProcess broker = await BrokerProcess.StartAsync(config, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output);
        using var watch = new UnitWatch(await DialAsync(kubelet, "warpdrive.io/zip"));
        await watch.UntilAsync(l => l.Count == 2 && l.All(u => u.Health == "Healthy"), "2 units are healthy");

        // Every request faults: the first makes the engine's fault count grow (Unhealthy at once), the second isolates.
        using (WdRuntime runtime = broker.CreateRuntime())
        using (WdQueue queue = runtime.RequestQueue("gzip"))
        using (WdSharedMemory src = runtime.ReserveMemory(4096))
        using (WdSharedMemory dst = runtime.ReserveMemory(8192))
        {
            Assert.Equal(Abi.CompletionStatus.InternalError, BrokerTestKit.Run(queue, BrokerTestKit.Compress(1, src, src.Length, dst)).Status);
            await watch.UntilAsync(l => l.Count == 2 && l.All(u => u.Health == "Unhealthy"), "a fault made every unit unhealthy");
            Assert.Equal(Abi.CompletionStatus.InternalError, BrokerTestKit.Run(queue, BrokerTestKit.Compress(2, src, src.Length, dst)).Status);
        }

        Assert.True(await BrokerTestKit.EventuallyAsync(() => broker.ReadAttribute("zip-0", "isolate") == "1", TimeSpan.FromSeconds(2)));
        Assert.True(await BrokerTestKit.EventuallyAsync(() => plugin.Host.Snapshot.Devices.Any(d => d.Name == "zip-0" && d.Unhealthy == "zip-0 is isolated after 2 device faults"), TimeSpan.FromSeconds(2)),
            $"the plugin did not see the isolation: {string.Join(", ", plugin.Host.Snapshot.Devices)}");
        Assert.All(watch.Latest!, u => Assert.Equal("Unhealthy", u.Health));
    }

    [Fact]
    public async Task BrokerDeathMarksEveryUnitUnhealthyAndARestartedBrokerIsRegisteredAgain()
    {
        BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        string runDirectory = broker.RunDirectory;
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(runDirectory, kubelet, output);
        await kubelet.NextRegistrationAsync(s_registration);
        await kubelet.NextRegistrationAsync(s_registration);
        using var watch = new UnitWatch(await DialAsync(kubelet, "warpdrive.io/zip", alreadyRegistered: true));
        await watch.UntilAsync(l => l.Count == 4 && l.All(u => u.Health == "Healthy"), "4 units are healthy");
        string token = (await AllocateAsync(kubelet, "zip-0.q0")).Envs[AllocationToken.EnvironmentVariable];

        broker.KeepRunDirectory = true;
        broker.Kill();
        await broker.DisposeAsync();
        IReadOnlyList<Device> dead = await watch.UntilAsync(l => l.Count == 4 && l.All(u => u.Health == "Unhealthy"), "every unit is unhealthy after wdd died");
        Assert.Equal(4, dead.Count); // still listed: pods that hold them keep them

        await using BrokerProcess restarted = await BrokerProcess.StartAsync(Config, output, runDirectory: runDirectory);
        RegisterRequest again = await kubelet.NextRegistrationAsync(s_registration);
        Assert.StartsWith("warpdrive.io/", again.ResourceName, StringComparison.Ordinal);
        using var renewed = new UnitWatch(kubelet.Dial(again, out IDisposable channel));
        using (channel)
        {
            await renewed.UntilAsync(l => l.Count > 0 && l.All(u => u.Health == "Healthy"), "the restarted broker's units are healthy");
        }

        await watch.UntilAsync(l => l.All(u => u.Health == "Healthy"), "the old stream saw the units come back");

        // The pod's allocation outlived the broker: its processes claim it on the new one, within its limit.
        using BrokerConnection pod = Claim(restarted, "zip-0", token);
        using BrokerConnection more = Claim(restarted, "zip-0", token);
        Assert.Equal(BrokerStatus.Ok, StartQueue(pod, out _));
        Assert.Equal(BrokerStatus.NoQueue, StartQueue(more, out _));
    }

    [Fact]
    public async Task WithTwoSharesPerQueueEachQueueIsTwoUnitsAndThreeUnitsHoldTwoQueues()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output, shares: 2);
        using var watch = new UnitWatch(await DialAsync(kubelet, "warpdrive.io/zip"));
        IReadOnlyList<Device> units = await watch.UntilAsync(l => l.Count == 8, "there are 8 units");
        Assert.Equal(["zip-0.q0.s0", "zip-0.q0.s1", "zip-0.q1.s0"], units.Take(3).Select(u => u.ID));

        ContainerAllocateResponse container = await AllocateAsync(kubelet, "zip-0.q0.s0", "zip-0.q0.s1", "zip-0.q1.s0");
        string token = container.Envs[AllocationToken.EnvironmentVariable];
        Assert.Equal("zip-0 2\n", await File.ReadAllTextAsync(Path.Combine(WdRunDirectory.AllocationDirectory(broker.RunDirectory), token)));
    }

    [Fact]
    public async Task AKubeletRestartIsFollowedByANewRegistrationOnANewSocket()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        await using PluginUnderTest plugin = PluginUnderTest.Start(broker.RunDirectory, kubelet, output);
        RegisterRequest first = await kubelet.NextRegistrationAsync(s_registration);
        Assert.Equal("warpdrive.io/zip", first.ResourceName);

        await kubelet.RestartAsync(); // removes warpdrive-zip.sock, as a starting kubelet does
        RegisterRequest second = await kubelet.NextRegistrationAsync(s_registration);
        Assert.Equal(first, second);
        Assert.True(File.Exists(Path.Combine(kubelet.Directory, second.Endpoint)), "the plugin did not listen again");
        using var watch = new UnitWatch(kubelet.Dial(second, out IDisposable channel));
        using (channel)
        {
            await watch.UntilAsync(l => l.Count == 16 && l.All(u => u.Health == "Healthy"), "the new kubelet sees 16 healthy units");
        }

        // A kubelet that refuses a registration is asked again on the next scan.
        kubelet.Verdict = _ => new Grpc.Core.Status(Grpc.Core.StatusCode.FailedPrecondition, "resource name taken");
        await kubelet.RestartAsync();
        await Task.Delay(300);
        Assert.False(kubelet.HasRegistration);
        kubelet.Verdict = null;
        Assert.Equal(first, await kubelet.NextRegistrationAsync(s_registration));
    }

    [Fact]
    public async Task TheProgramRegistersServesAndRemovesItsSocketOnSigterm()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(BrokerProcess.DefaultConfig, output);
        await using KubeletStandIn kubelet = await KubeletStandIn.StartAsync();
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])[BrokerProcess.Binary("wd-k8s-plugin.dll"), "--run-dir", broker.RunDirectory, "--plugin-dir", kubelet.Directory,
                     "--poll-ms", "100", "--uacce-class-dir", Path.Combine(broker.RunDirectory, "none")])
        {
            psi.ArgumentList.Add(arg);
        }

        var log = new StringBuilder();
        using Process plugin = Process.Start(psi)!;
        plugin.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        plugin.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        plugin.BeginOutputReadLine();
        plugin.BeginErrorReadLine();
        try
        {
            RegisterRequest registration = await kubelet.NextRegistrationAsync(TimeSpan.FromSeconds(30));
            Assert.Equal("warpdrive.io/zip", registration.ResourceName);
            using var watch = new UnitWatch(kubelet.Dial(registration, out IDisposable channel));
            using (channel)
            {
                await watch.UntilAsync(l => l.Count == 16 && l.All(u => u.Health == "Healthy"), "16 units are healthy");

                // Stopping ends the kubelet's open ListAndWatch stream at once (the kubelet then marks the units gone).
                var clock = Stopwatch.StartNew();
                NativeTestMethods.Signal(plugin.Id, NativeTestMethods.SIGTERM);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                await plugin.WaitForExitAsync(timeout.Token);
                output.WriteLine($"stopped {clock.ElapsedMilliseconds} ms after SIGTERM");
                Assert.Equal(0, plugin.ExitCode);
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1.5), $"the plugin took {clock.ElapsedMilliseconds} ms to stop with a stream open");
                Assert.True(await BrokerTestKit.EventuallyAsync(() => watch.Ended, TimeSpan.FromSeconds(2)), "the ListAndWatch stream did not end");
            }

            Assert.False(File.Exists(Path.Combine(kubelet.Directory, registration.Endpoint)), "the plugin left its socket behind");
        }
        finally
        {
            if (!plugin.HasExited)
            {
                plugin.Kill();
            }

            lock (log)
            {
                output.WriteLine($"--- wd-k8s-plugin ---\n{log}");
            }
        }

        lock (log)
        {
            Assert.Contains("registered warpdrive.io/zip at", log.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>Waits for the registration of <paramref name="resource"/> (skipping others) and dials its endpoint.</summary>
    private static async Task<DevicePlugin.DevicePluginClient> DialAsync(KubeletStandIn kubelet, string resource, bool alreadyRegistered = false)
    {
        if (alreadyRegistered)
        {
            return kubelet.Dial(new RegisterRequest { Endpoint = $"warpdrive-{resource.Split('/')[1]}.sock" }, out _);
        }

        while (true)
        {
            RegisterRequest registration = await kubelet.NextRegistrationAsync(s_registration);
            if (registration.ResourceName == resource)
            {
                return kubelet.Dial(registration, out _);
            }
        }
    }

    /// <summary>Allocate for one container of <paramref name="units"/> of zip, as the kubelet calls it.</summary>
    private static async Task<ContainerAllocateResponse> AllocateAsync(KubeletStandIn kubelet, params string[] units)
    {
        DevicePlugin.DevicePluginClient client = kubelet.Dial(new RegisterRequest { Endpoint = "warpdrive-zip.sock" }, out IDisposable channel);
        using (channel)
        {
            Assert.True(await BrokerTestKit.EventuallyAsync(() => File.Exists(Path.Combine(kubelet.Directory, "warpdrive-zip.sock")), s_registration));
            AllocateResponse response = await client.AllocateAsync(new AllocateRequest { ContainerRequests = { new ContainerAllocateRequest { DevicesIds = { units } } } });
            return Assert.Single(response.ContainerResponses);
        }
    }

    /// <summary>A connection to <paramref name="device"/> that claimed the allocation of <paramref name="token"/>.</summary>
    private static BrokerConnection Claim(BrokerProcess broker, string device, string token)
    {
        Assert.True(AllocationToken.TryParse(token, out AllocationToken parsed));
        BrokerConnection connection = BrokerTestKit.Connect(broker, device);
        BrokerResponse claimed = BrokerTestKit.Call(connection, BrokerOp.Claim, out _, out string? message, parsed.Low, parsed.High);
        Assert.True(claimed.Status == BrokerStatus.Ok, message);
        return connection;
    }

    private static BrokerStatus StartQueue(BrokerConnection connection, out string? message)
    {
        BrokerResponse response = BrokerTestKit.Call(connection, BrokerOp.StartQueue, out Microsoft.Win32.SafeHandles.SafeFileHandle? ring, out message);
        ring?.Dispose();
        return response.Status;
    }
}
