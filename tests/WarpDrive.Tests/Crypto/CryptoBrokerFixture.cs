using WarpDrive.Tests.Broker;

namespace WarpDrive.Tests.Crypto;

/// <summary>One real <c>wdd</c> for a test class: <c>sec-0</c> and <c>hpre-0</c> offering SVA and SHARE, and
/// <c>sec-1</c> offering SHARE only (requests must name broker-made regions there).</summary>
public sealed class CryptoBrokerFixture : IAsyncLifetime
{
    public const string Config = """
        { "devices": [
            { "name": "sec-0", "model": "sec", "queues": 8, "engines": 1 },
            { "name": "hpre-0", "model": "hpre", "queues": 8, "engines": 2 },
            { "name": "sec-1", "model": "sec", "queues": 4, "engines": 1, "memory": "share" } ] }
        """;

    private BrokerProcess? _broker;

    internal BrokerProcess Broker => _broker ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync() => _broker = await BrokerProcess.StartAsync(Config);

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
