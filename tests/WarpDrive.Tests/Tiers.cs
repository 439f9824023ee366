namespace WarpDrive.Tests;

/// <summary>The test tiers (xunit traits), by cost: a class that starts processes (wdd, wd, test clients, openssl) is
/// <see cref="Integration"/>; hostile clients, crash storms and long stress runs are <see cref="Reliability"/>; every
/// other test is the unit tier, in-process and fast. <c>scripts/test.sh --fast</c> runs the unit tier;
/// <c>scripts/test.sh</c> runs all three.</summary>
internal static class Tiers
{
    /// <summary>The trait's name.</summary>
    public const string Name = "Tier";

    /// <summary>Real processes: the broker, the CLI, test clients, reference tools.</summary>
    public const string Integration = "Integration";

    /// <summary>Hostile clients, crash storms, floods and stress runs against real processes.</summary>
    public const string Reliability = "Reliability";

    /// <summary>Real accelerators through the kernel (<c>/sys/class/uacce</c>): skipped where there are none, as on
    /// every machine of this project; a Kunpeng owner runs them with <c>--filter Tier=Hardware</c> (docs/HARDWARE.md).</summary>
    public const string Hardware = "Hardware";
}
