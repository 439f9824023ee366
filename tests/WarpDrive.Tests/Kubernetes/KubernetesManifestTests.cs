using System.Diagnostics;
using System.Text;
using System.Text.Json;
using WarpDrive.Broker.Configuration;
using WarpDrive.Kubernetes;
using WarpDrive.Tests.Docs;

namespace WarpDrive.Tests.Kubernetes;

/// <summary>The manifests of packaging/kubernetes, checked without a cluster: <c>kubectl --dry-run=client</c> needs an
/// API server for discovery, so kubectl only parses them here (<c>kubectl label --local -o json</c>: YAML syntax,
/// apiVersion and kind), and this test checks what a schema would and what one cannot: types and required fields of
/// the parts we use, every volume mount naming a volume, the broker's configuration by the broker's own parser, the
/// plugin's directories, the example pod's resource by the plugin's own name for it.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class KubernetesManifestTests
{
    private static readonly string s_directory = Path.Combine(DocSnippetTests.RepositoryRoot(), "packaging", "kubernetes");

    [KubectlFact]
    public void TheDaemonSetRunsTheBrokerAndThePluginOnTheNodesDirectories()
    {
        List<JsonElement> objects = Parse("warpdrive-node.yaml");
        Assert.Equal(["Namespace", "ConfigMap", "DaemonSet"], objects.Select(o => o.GetProperty("kind").GetString()));
        JsonElement daemonSet = objects[2];
        Assert.Equal("apps/v1", daemonSet.GetProperty("apiVersion").GetString());
        JsonElement spec = daemonSet.GetProperty("spec");
        Assert.Equal(JsonValueKind.Object, spec.GetProperty("selector").GetProperty("matchLabels").ValueKind);
        JsonElement template = spec.GetProperty("template");
        foreach ((string key, JsonElement value) in spec.GetProperty("selector").GetProperty("matchLabels").EnumerateObject().Select(p => (p.Name, p.Value)))
        {
            Assert.Equal(value.GetString(), template.GetProperty("metadata").GetProperty("labels").GetProperty(key).GetString());
        }

        JsonElement pod = template.GetProperty("spec");
        Assert.Equal(JsonValueKind.True, pod.GetProperty("hostPID").ValueKind); // the broker sees its clients' pids
        Dictionary<string, JsonElement> volumes = pod.GetProperty("volumes").EnumerateArray().ToDictionary(v => v.GetProperty("name").GetString()!);
        Dictionary<string, JsonElement> containers = pod.GetProperty("containers").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        Assert.Equal(["device-plugin", "wdd"], containers.Keys.Order());
        foreach (JsonElement container in containers.Values)
        {
            Assert.Equal(JsonValueKind.String, container.GetProperty("image").ValueKind);
            Assert.All(container.GetProperty("command").EnumerateArray(), a => Assert.Equal(JsonValueKind.String, a.ValueKind));
            foreach (JsonElement mount in container.GetProperty("volumeMounts").EnumerateArray())
            {
                Assert.True(volumes.ContainsKey(mount.GetProperty("name").GetString()!), $"volumeMount {mount} names no volume");
                Assert.StartsWith("/", mount.GetProperty("mountPath").GetString(), StringComparison.Ordinal);
            }
        }

        // Both containers share the node's run directory; the plugin reaches the kubelet's device-plugin directory.
        Assert.Equal("/run/warpdrive", HostPath(volumes, MountOf(containers["wdd"], "/run/warpdrive")));
        Assert.Equal("/run/warpdrive", HostPath(volumes, MountOf(containers["device-plugin"], "/run/warpdrive")));
        Assert.Equal(PluginOptions.DefaultPluginDirectory, HostPath(volumes, MountOf(containers["device-plugin"], PluginOptions.DefaultPluginDirectory)));
        string[] plugin = [.. containers["device-plugin"].GetProperty("command").EnumerateArray().Select(a => a.GetString()!)];
        Assert.Equal("wd-k8s-plugin", plugin[0]);
        Assert.Equal("/run/warpdrive", plugin[Array.IndexOf(plugin, "--run-dir") + 1]);

        // wdd reads the ConfigMap of this file, and the broker's parser takes it.
        string[] wdd = [.. containers["wdd"].GetProperty("command").EnumerateArray().Select(a => a.GetString()!)];
        string configPath = wdd[Array.IndexOf(wdd, "--config") + 1];
        string configVolume = MountOf(containers["wdd"], Path.GetDirectoryName(configPath)!);
        Assert.Equal(objects[1].GetProperty("metadata").GetProperty("name").GetString(), volumes[configVolume].GetProperty("configMap").GetProperty("name").GetString());
        BrokerConfig config = BrokerConfig.Parse(objects[1].GetProperty("data").GetProperty(Path.GetFileName(configPath)).GetString()!, "warpdrive-node.yaml");
        Assert.True(config.Limits.RequireAllocation, "a pod could leave its token out");
        Assert.All(config.Devices, d => Assert.Equal(0, d.ReservedQueues)); // every pod runs as one uid
        Assert.Equal(["hpre", "sec", "zip"], config.Devices.Select(d => DeviceKinds.Of(d.Name)).Order());
    }

    [KubectlFact]
    public void TheExamplePodAsksForOneZipUnit()
    {
        JsonElement pod = Assert.Single(Parse("example-pod.yaml"));
        Assert.Equal("Pod", pod.GetProperty("kind").GetString());
        JsonElement container = Assert.Single(pod.GetProperty("spec").GetProperty("containers").EnumerateArray());
        JsonElement limits = container.GetProperty("resources").GetProperty("limits");
        // A quantity: 1 or "1" (kubectl reads the YAML without the API's types).
        Assert.Equal("1", limits.GetProperty(new PluginOptions { RunDirectory = "/" }.ResourceName("zip")).GetRawText().Trim('"'));
        string script = string.Join(" ", container.GetProperty("command").EnumerateArray().Select(a => a.GetString()));
        Assert.Contains("wd compress", script, StringComparison.Ordinal);
        Assert.DoesNotContain("WD_RUN_DIR=", script, StringComparison.Ordinal); // Allocate gives it
    }

    private static string MountOf(JsonElement container, string path) =>
        container.GetProperty("volumeMounts").EnumerateArray().Single(m => m.GetProperty("mountPath").GetString() == path).GetProperty("name").GetString()!;

    private static string? HostPath(Dictionary<string, JsonElement> volumes, string volume) =>
        volumes[volume].GetProperty("hostPath").GetProperty("path").GetString();

    /// <summary>The objects of a manifest as kubectl reads them (no cluster: <c>label --local</c>).</summary>
    private static List<JsonElement> Parse(string file)
    {
        var psi = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in (string[])["label", "--local", "-f", Path.Combine(s_directory, file), "warpdrive.io/checked=true", "-o", "json"])
        {
            psi.ArgumentList.Add(arg);
        }

        using Process kubectl = Process.Start(psi)!;
        Task<string> stderr = kubectl.StandardError.ReadToEndAsync();
        string json = kubectl.StandardOutput.ReadToEnd();
        kubectl.WaitForExit();
        Assert.True(kubectl.ExitCode == 0, $"kubectl could not read {file}: {stderr.Result}");
        var objects = new List<JsonElement>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            objects.Add(JsonElement.ParseValue(ref reader));
        }

        return objects;
    }
}

/// <summary>A fact that needs <c>kubectl</c> on the PATH (it is skipped where there is none).</summary>
public sealed class KubectlFactAttribute : FactAttribute
{
    public KubectlFactAttribute()
    {
        string[] path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries);
        if (!path.Any(d => File.Exists(Path.Combine(d, "kubectl"))))
        {
            Skip = "needs kubectl on the PATH (it reads the manifests)";
        }
    }
}
