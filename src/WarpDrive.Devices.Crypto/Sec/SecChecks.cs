using WarpDrive.Abi;

namespace WarpDrive.Devices.Sec;

/// <summary>Checks of a SEC request's fields that every opcode shares.</summary>
internal static class SecChecks
{
    /// <summary>Whether the fields <paramref name="used"/> does not name are zero (<c>Aux</c> is never used by SEC).</summary>
    public static bool UnusedAreZero(in CryptoParams p, ParamFields used) =>
        ((used & ParamFields.Key) != 0 || (p.Key == 0 && p.KeyLen == 0))
        && ((used & ParamFields.Iv) != 0 || (p.Iv == 0 && p.IvLen == 0))
        && ((used & ParamFields.Aad) != 0 || (p.Aad == 0 && p.AadLen == 0))
        && ((used & ParamFields.Tag) != 0 || p.TagLen == 0)
        && p.Aux == 0 && p.AuxLen == 0;

    /// <summary>The SQE fields a cipher or AEAD request does not use: <c>Mode</c>, <c>Hash</c>, <c>Arg</c>,
    /// <c>StreamId</c>, and every flag but <see cref="SqeFlags.SrcDataList"/>.</summary>
    public static bool BlockOnlyFieldsClear(in Sqe sqe) =>
        sqe.Mode == 0 && sqe.Hash == 0 && sqe.Arg == 0 && sqe.StreamId == 0 && (sqe.Flags & ~SqeFlags.SrcDataList) == 0;
}
