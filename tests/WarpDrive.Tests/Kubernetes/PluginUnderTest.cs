using Grpc.Core;
using Microsoft.Extensions.Logging;
using WarpDrive.Kubernetes;
using WarpDrive.Kubernetes.DevicePluginApi;
using WarpDrive.Tests.Broker;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Kubernetes;

/// <summary>The device plugin run in the test's process (its real gRPC endpoints on real Unix sockets) against a
/// <see cref="KubeletStandIn"/> and a real <c>wdd</c>, scanning every 50 ms.</summary>
internal sealed class PluginUnderTest : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly ILoggerFactory _loggers;
    private readonly Task _run;

    private PluginUnderTest(PluginOptions options, ILoggerFactory loggers)
    {
        Options = options;
        _loggers = loggers;
        Host = new DevicePluginHost(options, loggers);
        _run = Task.Run(() => Host.RunAsync(_stop.Token));
    }

    public PluginOptions Options { get; }

    public DevicePluginHost Host { get; }

    /// <summary>Starts the plugin on <paramref name="runDirectory"/>; kernel devices from
    /// <paramref name="uacceClassDirectory"/> and <paramref name="uacceDeviceDirectory"/> (none by default).</summary>
    public static PluginUnderTest Start(string runDirectory, KubeletStandIn kubelet, ITestOutputHelper output, int shares = 1, string containerRunDirectory = "/run/warpdrive",
        string? uacceClassDirectory = null, string uacceDeviceDirectory = "/dev") =>
        new(new PluginOptions
        {
            RunDirectory = runDirectory,
            PluginDirectory = kubelet.Directory,
            ContainerRunDirectory = containerRunDirectory,
            SharesPerQueue = shares,
            PollInterval = TimeSpan.FromMilliseconds(50),
            UacceClassDirectory = uacceClassDirectory ?? Path.Combine(runDirectory, "no-kernel-devices"),
            UacceDeviceDirectory = uacceDeviceDirectory,
        }, LoggerFactory.Create(b => b.AddProvider(new OutputLoggerProvider(output))));

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _run;
        await Host.DisposeAsync();
        _loggers.Dispose();
        _stop.Dispose();
    }

    /// <summary>The plugin's log lines into the test's output.</summary>
    private sealed class OutputLoggerProvider(ITestOutputHelper output) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"plugin {logLevel}: {formatter(state, exception)}");
            }
            catch (InvalidOperationException)
            {
                // the test has ended
            }
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>One ListAndWatch stream as the kubelet reads it: every list the plugin sends, the last one at hand.</summary>
internal sealed class UnitWatch : IDisposable
{
    private readonly AsyncServerStreamingCall<ListAndWatchResponse> _call;
    private readonly List<IReadOnlyList<Device>> _lists = [];
    private readonly Task _pump;

    public UnitWatch(DevicePlugin.DevicePluginClient client)
    {
        _call = client.ListAndWatch(new Empty());
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (ListAndWatchResponse response in _call.ResponseStream.ReadAllAsync())
                {
                    lock (_lists)
                    {
                        _lists.Add([.. response.Devices]);
                    }
                }
            }
            catch (RpcException)
            {
                // cancelled, or the plugin went away
            }
        });
    }

    /// <summary>Lists received so far.</summary>
    public int Count
    {
        get
        {
            lock (_lists)
            {
                return _lists.Count;
            }
        }
    }

    /// <summary>Whether the stream has ended (the plugin's server closed it).</summary>
    public bool Ended => _pump.IsCompleted;

    /// <summary>The last list received, or null.</summary>
    public IReadOnlyList<Device>? Latest
    {
        get
        {
            lock (_lists)
            {
                return _lists.Count > 0 ? _lists[^1] : null;
            }
        }
    }

    /// <summary>Waits until the last list satisfies <paramref name="condition"/>; returns it.</summary>
    public async Task<IReadOnlyList<Device>> UntilAsync(Func<IReadOnlyList<Device>, bool> condition, string what, double seconds = 5)
    {
        bool met = await BrokerTestKit.EventuallyAsync(() => Latest is { } list && condition(list), TimeSpan.FromSeconds(seconds), intervalMs: 20);
        Assert.True(met, $"ListAndWatch sent no list where {what} within {seconds} s; last: {Describe(Latest)}");
        return Latest!;
    }

    public static string Describe(IReadOnlyList<Device>? units) =>
        units is null ? "(none)" : string.Join(" ", units.Select(u => $"{u.ID}={u.Health}"));

    public void Dispose() => _call.Dispose();
}
