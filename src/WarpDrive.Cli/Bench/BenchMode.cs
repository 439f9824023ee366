namespace WarpDrive.Cli.Bench;

/// <summary>Where <c>wd bench</c> runs a request.</summary>
internal enum BenchMode
{
    /// <summary>The in-process devices, through the queues.</summary>
    Local,

    /// <summary>A private broker whose devices offer SVA only (the engine copies the client's memory).</summary>
    BrokerSva,

    /// <summary>A private broker whose devices offer SHARE only (buffers from <c>ReserveMemory</c>, zero copy).</summary>
    BrokerShare,

    /// <summary>The same sessions, run inline in the caller's thread (Mix mode, threshold int.MaxValue).</summary>
    Inline,

    /// <summary>The in-process devices as an application gets them by default: Mix mode, requests below the library's
    /// measured threshold inline, the rest through the queues.</summary>
    Mix,

    /// <summary>The library call (ISA-L / zlib, System.Security.Cryptography) with no queue.</summary>
    Direct,

    /// <summary>A child process serving requests over Unix stream sockets (<c>--compare</c> only).</summary>
    Socket,
}
