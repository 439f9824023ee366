namespace WarpDrive.Platform;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const string Name = "libc";

        // errno values we act on.
        internal const int EAGAIN = 11;
        internal const int EINTR = 4;
        internal const int ETIMEDOUT = 110;
    }
}
