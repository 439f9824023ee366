using static WarpDrive.Devices.Interop.Zstd;

namespace WarpDrive.Devices.Engines;

/// <summary>The part of zstd's streaming API the ZIP device uses, implemented by the native library
/// (<see cref="LibZstd"/>) and by the managed port (<see cref="ZstdSharpLibrary"/>), so that one compressor and one
/// decompressor serve both engines and the two cannot drift apart. Contexts are opaque handles; buffers are
/// ZSTD_inBuffer/ZSTD_outBuffer; results are zstd's size_t codes.</summary>
internal unsafe interface IZstdLibrary
{
    static abstract nint CreateCCtx();

    static abstract void FreeCCtx(nint cctx);

    static abstract nuint CCtxReset(nint cctx, int directive);

    static abstract nuint CCtxSetParameter(nint cctx, int parameter, int value);

    static abstract nuint CCtxLoadDictionary(nint cctx, byte* dictionary, nuint size);

    static abstract nuint CompressStream2(nint cctx, ZstdBuffer* output, ZstdBuffer* input, int endOp);

    static abstract nint CreateDCtx();

    static abstract void FreeDCtx(nint dctx);

    static abstract nuint DCtxReset(nint dctx, int directive);

    static abstract nuint DCtxLoadDictionary(nint dctx, byte* dictionary, nuint size);

    static abstract nuint DecompressStream(nint dctx, ZstdBuffer* output, ZstdBuffer* input);

    static abstract bool IsError(nuint code);

    static abstract int ErrorCode(nuint code);
}

/// <summary>libzstd.so.1 through P/Invoke.</summary>
internal readonly unsafe struct LibZstd : IZstdLibrary
{
    public static nint CreateCCtx() => Interop.Zstd.CreateCCtx();

    public static void FreeCCtx(nint cctx) => Interop.Zstd.FreeCCtx(cctx);

    public static nuint CCtxReset(nint cctx, int directive) => Interop.Zstd.CCtxReset(cctx, directive);

    public static nuint CCtxSetParameter(nint cctx, int parameter, int value) => Interop.Zstd.CCtxSetParameter(cctx, parameter, value);

    public static nuint CCtxLoadDictionary(nint cctx, byte* dictionary, nuint size) => Interop.Zstd.CCtxLoadDictionary(cctx, dictionary, size);

    public static nuint CompressStream2(nint cctx, ZstdBuffer* output, ZstdBuffer* input, int endOp) => Interop.Zstd.CompressStream2(cctx, output, input, endOp);

    public static nint CreateDCtx() => Interop.Zstd.CreateDCtx();

    public static void FreeDCtx(nint dctx) => Interop.Zstd.FreeDCtx(dctx);

    public static nuint DCtxReset(nint dctx, int directive) => Interop.Zstd.DCtxReset(dctx, directive);

    public static nuint DCtxLoadDictionary(nint dctx, byte* dictionary, nuint size) => Interop.Zstd.DCtxLoadDictionary(dctx, dictionary, size);

    public static nuint DecompressStream(nint dctx, ZstdBuffer* output, ZstdBuffer* input) => Interop.Zstd.DecompressStream(dctx, output, input);

    public static bool IsError(nuint code) => Interop.Zstd.IsError(code) != 0;

    public static int ErrorCode(nuint code) => Interop.Zstd.GetErrorCode(code);
}

/// <summary>ZstdSharp's port of the same functions (its buffers have the C layout, so the pointers pass as they are).</summary>
internal readonly unsafe struct ZstdSharpLibrary : IZstdLibrary
{
    public static nint CreateCCtx() => (nint)ZstdSharp.Unsafe.Methods.ZSTD_createCCtx();

    public static void FreeCCtx(nint cctx) => ZstdSharp.Unsafe.Methods.ZSTD_freeCCtx((ZstdSharp.Unsafe.ZSTD_CCtx_s*)cctx);

    public static nuint CCtxReset(nint cctx, int directive) =>
        ZstdSharp.Unsafe.Methods.ZSTD_CCtx_reset((ZstdSharp.Unsafe.ZSTD_CCtx_s*)cctx, (ZstdSharp.Unsafe.ZSTD_ResetDirective)directive);

    public static nuint CCtxSetParameter(nint cctx, int parameter, int value) =>
        ZstdSharp.Unsafe.Methods.ZSTD_CCtx_setParameter((ZstdSharp.Unsafe.ZSTD_CCtx_s*)cctx, (ZstdSharp.Unsafe.ZSTD_cParameter)parameter, value);

    public static nuint CCtxLoadDictionary(nint cctx, byte* dictionary, nuint size) =>
        ZstdSharp.Unsafe.Methods.ZSTD_CCtx_loadDictionary((ZstdSharp.Unsafe.ZSTD_CCtx_s*)cctx, dictionary, size);

    public static nuint CompressStream2(nint cctx, ZstdBuffer* output, ZstdBuffer* input, int endOp) =>
        ZstdSharp.Unsafe.Methods.ZSTD_compressStream2((ZstdSharp.Unsafe.ZSTD_CCtx_s*)cctx, (ZstdSharp.Unsafe.ZSTD_outBuffer_s*)output,
            (ZstdSharp.Unsafe.ZSTD_inBuffer_s*)input, (ZstdSharp.Unsafe.ZSTD_EndDirective)endOp);

    public static nint CreateDCtx() => (nint)ZstdSharp.Unsafe.Methods.ZSTD_createDCtx();

    public static void FreeDCtx(nint dctx) => ZstdSharp.Unsafe.Methods.ZSTD_freeDCtx((ZstdSharp.Unsafe.ZSTD_DCtx_s*)dctx);

    public static nuint DCtxReset(nint dctx, int directive) =>
        ZstdSharp.Unsafe.Methods.ZSTD_DCtx_reset((ZstdSharp.Unsafe.ZSTD_DCtx_s*)dctx, (ZstdSharp.Unsafe.ZSTD_ResetDirective)directive);

    public static nuint DCtxLoadDictionary(nint dctx, byte* dictionary, nuint size) =>
        ZstdSharp.Unsafe.Methods.ZSTD_DCtx_loadDictionary((ZstdSharp.Unsafe.ZSTD_DCtx_s*)dctx, dictionary, size);

    public static nuint DecompressStream(nint dctx, ZstdBuffer* output, ZstdBuffer* input) =>
        ZstdSharp.Unsafe.Methods.ZSTD_decompressStream((ZstdSharp.Unsafe.ZSTD_DCtx_s*)dctx, (ZstdSharp.Unsafe.ZSTD_outBuffer_s*)output,
            (ZstdSharp.Unsafe.ZSTD_inBuffer_s*)input);

    public static bool IsError(nuint code) => ZstdSharp.Unsafe.Methods.ZSTD_isError(code);

    public static int ErrorCode(nuint code) => (int)ZstdSharp.Unsafe.Methods.ZSTD_getErrorCode(code);
}
