using System.Runtime.InteropServices;
using static WarpDrive.Devices.Interop.CompressionNative;

namespace WarpDrive.Devices.Engines;

/// <summary>What zlib-ng's compressor and decompressor share: a z_stream at a fixed native address, its buffers and
/// counters, and ending it.</summary>
internal abstract unsafe class ZlibNgCodec : Codec
{
    private bool _initialized;

    protected ZStream* Zs { get; private set; } = (ZStream*)NativeMemory.AllocZeroed((nuint)sizeof(ZStream));

    /// <summary>deflateEnd or inflateEnd.</summary>
    protected abstract int EndNative(ZStream* stream);

    /// <summary>Records the result of deflateInit2/inflateInit2 on <see cref="Zs"/>.</summary>
    protected void Started(int rc)
    {
        if (rc != Z_OK)
        {
            throw new InvalidOperationException($"zlib-ng stream init failed: {rc}");
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
