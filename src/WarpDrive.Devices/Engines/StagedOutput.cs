using System.Runtime.InteropServices;

namespace WarpDrive.Devices.Engines;

/// <summary>Output a compressor wrote ahead into its own buffer, because its API needs room for a worst-case block
/// that the request's buffer may not have: drained into the request's output, resumed after a full one.</summary>
internal sealed unsafe class StagedOutput(int capacity) : IDisposable
{
    private int _start;
    private int _end;

    public byte* Buffer { get; private set; } = (byte*)NativeMemory.Alloc((nuint)capacity);

    public int Capacity { get; } = capacity;

    public bool IsEmpty => _start == _end;

    /// <summary>Where new staged bytes go (only while <see cref="IsEmpty"/>).</summary>
    public byte* Free => Buffer + _end;

    public int FreeLength => Capacity - _end;

    /// <summary>Marks <paramref name="length"/> bytes at <see cref="Free"/> as staged.</summary>
    public void Add(int length) => _end += length;

    public void Clear() => _start = _end = 0;

    /// <summary>Copies what fits into <paramref name="output"/>; true when nothing is left staged.</summary>
    public bool Drain(byte* output, int outputLength, ref int produced)
    {
        int n = Math.Min(_end - _start, outputLength - produced);
        System.Buffer.MemoryCopy(Buffer + _start, output + produced, n, n);
        produced += n;
        _start += n;
        if (_start == _end)
        {
            Clear();
            return true;
        }

        return false;
    }

    public void Dispose()
    {
        NativeMemory.Free(Buffer);
        Buffer = null;
    }
}
