namespace WarpDrive.Abi.Stats;

/// <summary>Who publishes a stats file (<see cref="StatsHeader.Publisher"/>).</summary>
public enum StatsPublisher : uint
{
    /// <summary>Not known (a newer writer).</summary>
    Unknown = 0,

    /// <summary>The broker, <c>wdd</c>: devices shared with other processes.</summary>
    Broker = 1,

    /// <summary>A process running in-process devices (libwd's embedded default) for itself.</summary>
    InProcess = 2,
}
