using WarpDrive.Tests.Broker;

namespace WarpDrive.Tests.Crypto;

/// <summary>One real <c>wdd</c> for a test class: <c>sec-0</c> and <c>hpre-0</c> offering SVA and SHARE, and
/// <c>sec-1</c> offering SHARE only (requests must name broker-made regions there).</summary>
public sealed class CryptoBrokerFixture : IAsyncLifetime
{
    public const string Config = """
        { "devices": [
            { "name": "sec-0", "model": "sec", "queues": 8, "workers": 1 },
            { "name": "hpre-0", "model": "hpre", "queues": 16, "workers": 2 },
            { "name": "sec-1", "model": "sec", "queues": 4, "workers": 1, "memory": "share" } ] }
        """;

    private BrokerProcess? _broker;
    private WdRuntime? _runtime;

    internal BrokerProcess Broker => _broker ?? throw new InvalidOperationException("not started");

    /// <summary>A runtime on the broker's devices only, shared by the class's tests.</summary>
    public WdRuntime Runtime => _runtime ?? throw new InvalidOperationException("not started");

#if XUNIT_V3
    // xunit.v3's IAsyncLifetime returns ValueTask (tests/WarpDrive.Tests.Arm64 compiles this file against it).
    public async ValueTask InitializeAsync()
#else
    public async Task InitializeAsync()
#endif
    {
        _broker = await BrokerProcess.StartAsync(Config);
        _runtime = _broker.CreateRuntime();
    }

#if XUNIT_V3
    public async ValueTask DisposeAsync()
#else
    public async Task DisposeAsync()
#endif
    {
        _runtime?.Dispose();
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
