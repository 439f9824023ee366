namespace WarpDrive.Abi.Uacce;

/// <summary>Linux's ioctl request encoding (<c>include/uapi/asm-generic/ioctl.h</c>, used by x86-64 and arm64):
/// bits 0-7 the number, 8-15 the type character, 16-29 the argument size, 30-31 the direction.</summary>
public static class IoctlNumber
{
    private const int NumberShift = 0;
    private const int TypeShift = 8;
    private const int SizeShift = 16;
    private const int DirectionShift = 30;
    private const uint DirectionNone = 0;
    private const uint DirectionWrite = 1; // userspace writes, the kernel reads
    private const uint DirectionRead = 2; // the kernel writes, userspace reads

    /// <summary>The largest argument size the encoding holds (14 bits).</summary>
    public const int MaxSize = (1 << 14) - 1;

    /// <summary><c>_IO(type, nr)</c>: no argument.</summary>
    public static uint Io(char type, byte number) => Encode(DirectionNone, type, number, 0);

    /// <summary><c>_IOWR(type, nr, size)</c>: an argument the kernel reads and writes back.</summary>
    public static uint Iowr(char type, byte number, int size) => Encode(DirectionRead | DirectionWrite, type, number, size);

    private static uint Encode(uint direction, char type, byte number, int size)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(type, (char)0xFF);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, MaxSize);
        return (direction << DirectionShift) | ((uint)size << SizeShift) | ((uint)type << TypeShift) | ((uint)number << NumberShift);
    }
}
