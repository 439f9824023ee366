using System.Runtime.InteropServices;
using WarpDrive.Abi;
using static WarpDrive.Devices.Interop.Zlib;

namespace WarpDrive.Devices.Engines;

/// <summary>What zlib's compressor and decompressor share: a z_stream at a fixed native address, its buffers and
/// counters, and ending it.</summary>
internal abstract unsafe class ZlibCodec : Codec
{
    private bool _initialized;

    protected ZStream* Zs { get; private set; } = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));

    /// <summary>deflateInit2_ or inflateInit2_ on <paramref name="stream"/>, passing <paramref name="version"/> and
    /// <paramref name="streamSize"/>, which zlib checks against its own.</summary>
    protected abstract int InitNative(ZStream* stream, CompAlgorithm algorithm, int level, int windowBits, byte* version, int streamSize);

    /// <summary>deflateEnd or inflateEnd.</summary>
    protected abstract int EndNative(ZStream* stream);

    /// <summary>A new stream is a new init: level and window may change between streams, which deflateReset cannot do.</summary>
    public override void Reset(CompAlgorithm algorithm, int level, int windowBits)
    {
        End();
        int rc;
        fixed (byte* version = ZlibVersion)
        {
            rc = InitNative(Zs, algorithm, level, windowBits, version, sizeof(ZStream));
        }

        if (rc != Z_OK)
        {
            throw new InvalidOperationException($"zlib stream init failed: {rc}");
        }

        _initialized = true;
    }

    protected void SetBuffers(byte* input, int inputLength, byte* output, int outputLength)
    {
        Zs->NextIn = input;
        Zs->AvailIn = (uint)inputLength;
        Zs->NextOut = output;
        Zs->AvailOut = (uint)outputLength;
    }

    protected void Counts(int inputLength, int outputLength, out int consumed, out int produced)
    {
        consumed = inputLength - (int)Zs->AvailIn;
        produced = outputLength - (int)Zs->AvailOut;
    }

    protected void End()
    {
        if (_initialized)
        {
            _ = EndNative(Zs);
            _initialized = false;
        }
    }

    public override void Dispose()
    {
        End();
        NativeMemory.Free(Zs);
        Zs = null;
    }
}
