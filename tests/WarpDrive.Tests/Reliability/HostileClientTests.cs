using System.Globalization;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Reliability;

/// <summary>A million hostile descriptors, ring corruption and doorbell storms from one client process, while a
/// well-behaved client works beside it and a third process keeps a secret in shared memory.</summary>
[Trait(Tiers.Name, Tiers.Reliability)]
[Collection(BrokerProcessCollection.Name)]
public sealed class HostileClientTests(ITestOutputHelper output)
{
    /// <summary>ZIP, SEC and HPRE devices; a queue is disabled after 4096 invalid descriptors (the hostile client
    /// reopens it, so both the error completions and the disabling are exercised many times over).</summary>
    private const string Config = """
        { "devices": [ { "name": "zip-0", "queues": 8 }, { "name": "sec-0", "model": "sec", "queues": 4, "workers": 1 },
                       { "name": "hpre-0", "model": "hpre", "queues": 4, "workers": 1 } ],
          "limits": { "queue_error_threshold": 4096 } }
        """;

    private const long Descriptors = 1_000_000;

    [Fact]
    public async Task AMillionHostileDescriptorsAreEachAnsweredOrRefusedAndNobodyElseNotices()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);

        // Another process's secret in shared memory: the hostile client aims at its address.
        await using ChildProcess secret = broker.StartTestClient("secret");
        string[] ready = (await secret.ReadLineAsync(TimeSpan.FromSeconds(30))).Split(' ');
        Assert.Equal("ready", ready[0]);

        using WdRuntime runtime = broker.CreateRuntime(maxCompressionContexts: 1);
        await using var survivor = WellBehavedClient.Start(runtime, digests: true);
        Assert.True(await survivor.AdvancesAsync(3, TimeSpan.FromSeconds(30)), "the well-behaved client did not start");

        long roundsBefore = survivor.Rounds;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await using ChildProcess hostile = broker.StartTestClient("hostile", Descriptors.ToString(CultureInfo.InvariantCulture), "6", ready[1]);
        int exit = await hostile.WaitForExitAsync(TimeSpan.FromMinutes(4));
        TimeSpan elapsed = clock.Elapsed;
        Assert.True(exit == 0, $"hostile client exit {exit}: {hostile.Stderr}");
        Dictionary<string, long> books = Books(hostile.Stdout);
        long Get(string key) => books.GetValueOrDefault(key);
        output.WriteLine($"hostile client, {elapsed.TotalSeconds:F1} s: {hostile.Stdout.Trim()}");
        output.WriteLine($"well-behaved client: {survivor.Rounds - roundsBefore} checked gzip round trips and SHA-256 digests meanwhile");

        // Every descriptor published ended exactly once: answered, or left behind on a queue the broker disabled.
        Assert.True(Get("descriptors") >= Descriptors, $"only {Get("descriptors")} descriptors sent");
        Assert.Equal(0, Get("lost"));
        Assert.Equal(0, Get("unknown_completions"));
        Assert.Equal(0, Get("duplicate_completions"));
        Assert.Equal(Get("descriptors"), Get("answered") + Get("unanswered_on_disabled_queue"));
        Assert.True(Get("unanswered_on_disabled_queue") < Get("descriptors") / 20, "most descriptors should be answered, not dropped with their queue");

        // The answers are errors of the right kinds, and disabling happened and was survived by reopening.
        foreach (string status in new[] { "Ok", "BadRequest", "AddressFault", "DataError", "OutOfSpace" })
        {
            Assert.True(Get($"status_{status}") > 0, $"no {status} completion among {Get("answered")}");
        }

        Assert.Equal(0, Get("status_InternalError")); // client input never counts as a device fault
        Assert.True(Get("disabled_TooManyErrors") > 0 && Get("reopened") >= Get("disabled_TooManyErrors"));

        // Valid requests mixed into the garbage came back right.
        Assert.True(Get("valid_sent") > 1000, $"{Get("valid_sent")} valid requests");
        Assert.Equal(Get("valid_sent"), Get("valid_correct"));

        // Ring corruption: a broken consumer index or a garbage sequence word at the head disables the queue
        // (RingViolation); an out-of-order slot is not a publication (silence); words the device never trusts (tail,
        // doorbell, status word, reason, error count, header) change nothing.
        Assert.True(Get("corruptions") >= 18);
        Assert.Equal(0, Get("fill_timeouts"));
        for (int variant = 0; variant < 6; variant++)
        {
            string[] outcomes = [.. books.Keys.Where(k => k.StartsWith($"corruption{variant}_", StringComparison.Ordinal))];
            string expected = variant switch
            {
                0 or 2 or 5 => "disabled_RingViolation",
                1 => "silent",
                _ => "answered_Ok",
            };
            Assert.Equal([$"corruption{variant}_{expected}"], outcomes);
        }

        Assert.True(Get("storms") >= 1 && Get("doorbells") > 10_000, $"{Get("doorbells")} doorbells");

        // Nobody else noticed: the broker lives, the well-behaved client went on right, the secret is intact.
        Assert.True(broker.IsAlive);
        Assert.True(await survivor.AdvancesAsync(3, TimeSpan.FromSeconds(30)), "the well-behaved client stopped");
        Assert.True(survivor.Rounds - roundsBefore > 10, $"only {survivor.Rounds - roundsBefore} round trips during the attack");
        await survivor.StopAsync();
        secret.CloseStdin();
        Assert.True(await secret.WaitForExitAsync(TimeSpan.FromSeconds(30)) == 0, $"the secret changed: {secret.Stderr}");

        // Every queue is back once the clients are gone.
        runtime.Dispose();
        Assert.True(await BrokerTestKit.EventuallyAsync(
            () => broker.ReadAttribute("zip-0", "available_instances") == "8" && broker.ReadAttribute("sec-0", "available_instances") == "4"
                && broker.ReadAttribute("hpre-0", "available_instances") == "4", TimeSpan.FromSeconds(5)),
            $"available_instances zip-0 {broker.ReadAttribute("zip-0", "available_instances")}, sec-0 {broker.ReadAttribute("sec-0", "available_instances")}, hpre-0 {broker.ReadAttribute("hpre-0", "available_instances")}");
    }

    [Fact]
    public async Task HostileControlMessagesAreEachAnsweredOrEndTheirConnectionAndLeaveNothingBehind()
    {
        // Tight memory caps, so that the hostile allocations reach them.
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config.Replace(
            "\"queue_error_threshold\": 4096", "\"max_shared_bytes_per_user\": \"16MiB\", \"max_regions_per_user\": 64", StringComparison.Ordinal), output);
        int fdsBefore = broker.FdCount();
        using WdRuntime runtime = broker.CreateRuntime(maxCompressionContexts: 1);
        await using var survivor = WellBehavedClient.Start(runtime, digests: true);
        Assert.True(await survivor.AdvancesAsync(3, TimeSpan.FromSeconds(30)), "the well-behaved client did not start");
        long roundsBefore = survivor.Rounds;

        const long Requests = 100_000;
        await using ChildProcess hostile = broker.StartTestClient("control", Requests.ToString(CultureInfo.InvariantCulture), "7");
        int exit = await hostile.WaitForExitAsync(TimeSpan.FromMinutes(4));
        Assert.True(exit == 0, $"hostile control client exit {exit}: {hostile.Stderr}");
        Dictionary<string, long> books = Books(hostile.Stdout);
        long Get(string key) => books.GetValueOrDefault(key);
        output.WriteLine($"hostile control client: {hostile.Stdout.Trim()}");

        // One reply per request, in order, or the connection closed instead; never silence, never garbage.
        Assert.True(Get("requests") >= Requests);
        Assert.Equal(0, Get("unanswered"));
        Assert.Equal(0, Get("malformed_replies"));
        Assert.Equal(Get("requests"), Get("replies") + Get("closed_by_broker_instead_of_reply"));
        foreach (string status in new[] { "Ok", "BadMessage", "BadHandle", "BadAddress", "NotStarted", "AlreadyStarted", "MemoryLimit" })
        {
            Assert.True(Get($"status_{status}") > 0, $"no {status} reply among {Get("replies")}");
        }

        // Nobody else noticed, and nothing stays behind once the hostile client is gone.
        Assert.True(broker.IsAlive);
        Assert.True(await survivor.AdvancesAsync(3, TimeSpan.FromSeconds(30)), "the well-behaved client stopped");
        await survivor.StopAsync();
        output.WriteLine($"well-behaved client: {survivor.Rounds - roundsBefore} checked round trips meanwhile");
        runtime.Dispose();
        Assert.True(await BrokerTestKit.EventuallyAsync(
            () => broker.ReadAttribute("zip-0", "available_instances") == "8" && broker.ReadAttribute("sec-0", "available_instances") == "4"
                && broker.ReadAttribute("hpre-0", "available_instances") == "4" && broker.MappedRegions() == 0 && broker.FdCount() <= fdsBefore + 4,
            TimeSpan.FromSeconds(5)),
            $"after: {broker.MappedRegions()} regions mapped, fds {fdsBefore} -> {broker.FdCount()}, zip-0 {broker.ReadAttribute("zip-0", "available_instances")}/8 free");
    }

    /// <summary>The hostile client's one line of <c>key=value</c> counts.</summary>
    internal static Dictionary<string, long> Books(string stdout) =>
        stdout.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(kv => kv[0], kv => long.Parse(kv[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
}
