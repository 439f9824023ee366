namespace WarpDrive;

/// <summary>No device offers the algorithm asked for, or every such device has no free queue.</summary>
public sealed class WdDeviceNotFoundException : WdException
{
    /// <summary>Creates the exception.</summary>
    public WdDeviceNotFoundException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WdDeviceNotFoundException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WdDeviceNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
