using System.Runtime.InteropServices;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Tests.Uacce;

/// <summary>The HiSilicon QM and ZIP formats (not in the kernel's uapi headers; from UADK's hisi_qm and hisi_comp
/// drivers): structure sizes, every field at its dword, doorbell words worked out by hand, CQE phase, DUS offsets.</summary>
public sealed class HisiQmLayoutTests
{
    [Fact]
    public void SizesAreThoseOfTheHardware()
    {
        Assert.Equal(128, Marshal.SizeOf<HisiZipSqe>());
        Assert.Equal(16, Marshal.SizeOf<HisiQmCqe>());
        Assert.Equal(0x10000, HisiZipSqe.StreamContextSize);
    }

    /// <summary>struct hisi_zip_sqe: 32 dwords; the 64-bit addresses are the _l/_h dword pairs.</summary>
    [Theory]
    [InlineData(nameof(HisiZipSqe.Consumed), 0)]
    [InlineData(nameof(HisiZipSqe.Produced), 1)]
    [InlineData(nameof(HisiZipSqe.CompDataLength), 2)]
    [InlineData(nameof(HisiZipSqe.Dw3), 3)]
    [InlineData(nameof(HisiZipSqe.InputDataLength), 4)]
    [InlineData(nameof(HisiZipSqe.Dw7), 7)]
    [InlineData(nameof(HisiZipSqe.Dw8), 8)]
    [InlineData(nameof(HisiZipSqe.Dw9), 9)]
    [InlineData(nameof(HisiZipSqe.Dw13), 13)]
    [InlineData(nameof(HisiZipSqe.DestAvailOut), 14)]
    [InlineData(nameof(HisiZipSqe.ContextDw0), 15)]
    [InlineData(nameof(HisiZipSqe.SourceAddress), 18)]
    [InlineData(nameof(HisiZipSqe.DestinationAddress), 20)]
    [InlineData(nameof(HisiZipSqe.StreamContextAddress), 22)]
    [InlineData(nameof(HisiZipSqe.LiteralsAddress), 24)]
    [InlineData(nameof(HisiZipSqe.Dw26), 26)]
    [InlineData(nameof(HisiZipSqe.ContextDw1), 28)]
    [InlineData(nameof(HisiZipSqe.ContextDw2), 29)]
    [InlineData(nameof(HisiZipSqe.Isize), 30)]
    [InlineData(nameof(HisiZipSqe.Checksum), 31)]
    public void ZipSqeFieldsSitAtTheirDword(string field, int dword) =>
        Assert.Equal(dword * 4, (int)Marshal.OffsetOf<HisiZipSqe>(field));

    [Theory]
    [InlineData(nameof(HisiQmCqe.Reserved0), 0)]
    [InlineData(nameof(HisiQmCqe.CommandId), 4)]
    [InlineData(nameof(HisiQmCqe.SqHead), 8)]
    [InlineData(nameof(HisiQmCqe.SqNumber), 10)]
    [InlineData(nameof(HisiQmCqe.W7), 14)]
    public void CqeFieldsSitWhereTheDriverReadsThem(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<HisiQmCqe>(field));

    /// <summary>struct hisi_sgl (a 64-byte header) and struct hisi_sge (32 bytes) of UADK's hisi_qm_udrv.c.</summary>
    [Theory]
    [InlineData(typeof(HisiSgl), nameof(HisiSgl.NextDma), 0)]
    [InlineData(typeof(HisiSgl), nameof(HisiSgl.EntrySumInChain), 8)]
    [InlineData(typeof(HisiSgl), nameof(HisiSgl.EntrySumInSgl), 10)]
    [InlineData(typeof(HisiSgl), nameof(HisiSgl.EntryLength), 12)]
    [InlineData(typeof(HisiSgl), nameof(HisiSgl.Next), 48)]
    [InlineData(typeof(HisiSgl), nameof(HisiSgl.EntrySizeInSgl), 56)]
    [InlineData(typeof(HisiSge), nameof(HisiSge.Buffer), 0)]
    [InlineData(typeof(HisiSge), nameof(HisiSge.PageControl), 8)]
    [InlineData(typeof(HisiSge), nameof(HisiSge.Length), 16)]
    [InlineData(typeof(HisiSge), nameof(HisiSge.VirtualBuffer), 24)]
    public void SglFieldsSitWhereTheHardwareReadsThem(Type type, string field, int offset)
    {
        Assert.Equal(offset, (int)Marshal.OffsetOf(type, field));
        Assert.Equal(type == typeof(HisiSgl) ? 64 : 32, Marshal.SizeOf(type));
        Assert.Equal(255, HisiSgl.MaxEntries);
    }

    [Fact]
    public void CqePhaseIsBit0OfW7AndTheSqHeadIsDword2LowHalf()
    {
        // UADK v1 read them as ((u32*)cqe)[3] >> 16 & 1 and ((u32*)cqe)[2] & 0xffff: the same bits.
        Span<byte> raw = stackalloc byte[16];
        raw.Clear();
        BitConverter.TryWriteBytes(raw[12..], 0x0001_0000u);
        BitConverter.TryWriteBytes(raw[8..], 0x0005_0123u);
        HisiQmCqe cqe = MemoryMarshal.Read<HisiQmCqe>(raw);
        Assert.True(cqe.Phase);
        Assert.Equal(0x123, cqe.SqHead);
        Assert.Equal(5, cqe.SqNumber);
        raw[14] = 0;
        Assert.False(MemoryMarshal.Read<HisiQmCqe>(raw).Phase);
    }

    [Fact]
    public void DoorbellsEncodeQueueCommandIndexAndPriority()
    {
        // v2: queue in bits 0-9, command at bit 12, index at bit 32, priority at bit 48.
        Assert.Equal(0x0000_0007_0000_0005ul, HisiQmDoorbell.EncodeV2(5, HisiQmDoorbell.CommandSq, 7, 0));
        Assert.Equal(0x0002_03FF_0000_1123ul, HisiQmDoorbell.EncodeV2(0x123, HisiQmDoorbell.CommandCq, 0x3FF, 2));
        Assert.Equal(0x0000_0000_0000_13FFul, HisiQmDoorbell.EncodeV2(0xFFFF, HisiQmDoorbell.CommandCq, 0, 0)); // queue masked to 10 bits
        Assert.Equal(((ushort)0x123, HisiQmDoorbell.CommandCq, (ushort)0x3FF, (byte)2), HisiQmDoorbell.DecodeV2(0x0002_03FF_0000_1123ul));

        // v1: command at bit 16.
        Assert.Equal(0x0000_0007_0001_0005ul, HisiQmDoorbell.EncodeV1(5, HisiQmDoorbell.CommandCq, 7, 0));
        Assert.Equal(0x1000, HisiQmDoorbell.OffsetV2);
        Assert.Equal(0x340, HisiQmDoorbell.OffsetV1);
    }

    [Fact]
    public void DusHoldsSqThenCqAndEndsWithTheTwoStatusWords()
    {
        Assert.Equal(128L * 1024, HisiQmDus.CqOffset(HisiZipSqe.Size, HisiQmDus.DefaultDepth));
        long region = (128 + 16) * 1024L + 4096;
        Assert.Equal(region - 4, HisiQmDus.TxStatusOffset(region));
        Assert.Equal(region - 8, HisiQmDus.RxStatusOffset(region));
    }

    [Fact]
    public void SqeWordsReadBackStatusAndRequestType()
    {
        var sqe = new HisiZipSqe { Dw3 = 0xAB00 | (uint)HisiZipStatus.DecompressEnd, Dw9 = (1u << HisiZipSqe.BufferTypeShift) | (uint)HisiZipAlgorithm.Gzip };
        Assert.Equal(HisiZipStatus.DecompressEnd, sqe.Status);
        Assert.Equal(HisiZipAlgorithm.Gzip, sqe.Algorithm);
    }
}
