namespace WarpDrive.Broker.Configuration;

/// <summary>Memory models a configured device offers its clients (the config key <c>memory</c>:
/// <c>"sva"</c>, <c>"share"</c> or <c>"sva+share"</c>).</summary>
[Flags]
public enum DeviceMemoryModes
{
    /// <summary>None: not a valid configuration, present only as the empty flag value.</summary>
    None = 0,

    /// <summary>Shared virtual addressing: descriptors carry the client's own pointers, the broker copies in and out.</summary>
    Sva = 1,

    /// <summary>Static share: regions the broker creates and maps into the client; zero copy.</summary>
    Share = 2,
}
