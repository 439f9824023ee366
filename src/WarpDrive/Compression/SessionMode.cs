namespace WarpDrive.Compression;

/// <summary>How requests of a session relate to each other.</summary>
public enum SessionMode
{
    /// <summary>Stateless: each request is a whole stream; requests may run concurrently.</summary>
    Block,

    /// <summary>Stateful: requests are pieces of one stream whose history the device keeps; one request at a time.</summary>
    Stream,
}
