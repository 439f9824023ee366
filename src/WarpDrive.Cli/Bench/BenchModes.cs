namespace WarpDrive.Cli.Bench;

/// <summary>The names of <see cref="BenchMode"/> on the command line and in the output.</summary>
internal static class BenchModes
{
    public static readonly IReadOnlyDictionary<string, BenchMode> ByName = new Dictionary<string, BenchMode>
    {
        ["local"] = BenchMode.Local,
        ["broker-sva"] = BenchMode.BrokerSva,
        ["broker-share"] = BenchMode.BrokerShare,
        ["inline"] = BenchMode.Inline,
        ["mix"] = BenchMode.Mix,
        ["direct"] = BenchMode.Direct,
    };

    public static string Name(BenchMode mode) => mode switch
    {
        BenchMode.Local => "local",
        BenchMode.BrokerSva => "broker-sva",
        BenchMode.BrokerShare => "broker-share",
        BenchMode.Inline => "inline",
        BenchMode.Mix => "mix",
        BenchMode.Direct => "direct",
        _ => "socket",
    };

    public static bool IsBroker(BenchMode mode) => mode is BenchMode.BrokerSva or BenchMode.BrokerShare;
}
