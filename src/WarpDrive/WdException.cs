namespace WarpDrive;

/// <summary>A WarpDrive failure that is not the caller's data: no device, a disabled queue, a device fault.</summary>
public class WdException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WdException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WdException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public WdException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
