namespace WarpDrive.Pipeline;

/// <summary>The steps of a request's life where it can fail, in order (fault injection names them).</summary>
internal enum PipelineStep
{
    /// <summary>Choosing the context (scheduler, Mix threshold, failover).</summary>
    Pick,

    /// <summary>Taking a free request slot of the context.</summary>
    Rent,

    /// <summary>Pinning, sharing and laying out the request (after the slot was prepared).</summary>
    Build,

    /// <summary>Publishing the SQE and ringing the doorbell (an injected fault fires just before).</summary>
    Submit,

    /// <summary>A synchronous caller's wait for its completion.</summary>
    Wait,
}
