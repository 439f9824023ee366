using System.Runtime.InteropServices;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Tests.Uacce;

/// <summary>The HPRE SQE against UADK's <c>struct hisi_hpre_sqe</c> (<c>drv/hisi_hpre.c</c>; the kernel's
/// <c>struct hpre_sqe</c> in <c>drivers/crypto/hisilicon/hpre/hpre.h</c>): its size, every field at its byte offset, the
/// bit positions of the packed fields, and the task codes of <c>enum hpre_alg_type</c>.</summary>
public sealed class HisiHpreLayoutTests
{
    [Fact]
    public void TheSqeIs64Bytes() => Assert.Equal(64, Marshal.SizeOf<HisiHpreSqe>());

    /// <summary>Offsets worked out from the members: two packed dwords, six address words, the packed dword 10.</summary>
    [Theory]
    [InlineData(nameof(HisiHpreSqe.Dw0), 0)] // alg:5 etype:11 etype1:14 done:2
    [InlineData(nameof(HisiHpreSqe.Dw1), 4)] // task_len1:8 task_len2:8 mrttest_num:8 uwkey_enb:1 sm2_ksel:1 sva_bypass:1 sva_status:4 bd_rsv2:1
    [InlineData(nameof(HisiHpreSqe.KeyAddress), 8)] // low_key, hi_key
    [InlineData(nameof(HisiHpreSqe.InputAddress), 16)] // low_in, hi_in
    [InlineData(nameof(HisiHpreSqe.OutputAddress), 24)] // low_out, hi_out
    [InlineData(nameof(HisiHpreSqe.Tag), 32)] // low_tag, hi_tag
    [InlineData(nameof(HisiHpreSqe.Dw10), 40)] // sm2_mlen:9 rsvd1:7 uwkey_sel:4 wrap_num:3 resv2:9
    [InlineData(nameof(HisiHpreSqe.KekKey), 44)] // kek_key, then rsvd3[4] to byte 64
    public void SqeFieldsSitAtTheirOffset(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<HisiHpreSqe>(field));

    [Fact]
    public void PackedFieldsFollowTheBitfieldWidths()
    {
        // Bitfields fill a dword from bit 0 (little-endian GCC and Clang, on arm64 as on x64).
        Assert.Equal(0x1fu, HisiHpreSqe.AlgorithmMask); // alg: 5 bits
        Assert.Equal(5, HisiHpreSqe.ErrorTypeShift); // etype after alg
        Assert.Equal(0x7ffu, HisiHpreSqe.ErrorTypeMask); // 11 bits
        Assert.Equal(16, HisiHpreSqe.ErrorType1Shift); // etype1 after 5 + 11
        Assert.Equal(0x3fffu, HisiHpreSqe.ErrorType1Mask); // 14 bits
        Assert.Equal(30, HisiHpreSqe.DoneShift); // done: the top 2 bits (5 + 11 + 14)
        Assert.Equal(0xffu, HisiHpreSqe.TaskLengthMask); // task_len1: 8 bits
        Assert.Equal(25, HisiHpreSqe.Sm2KeySelectShift); // after task_len1, task_len2, mrttest_num, uwkey_enb
        Assert.Equal(27, HisiHpreSqe.SvaStatusShift); // after sm2_ksel, sva_bypass
        Assert.Equal((1u, 3u), (HisiHpreSqe.TaskInit, HisiHpreSqe.TaskDone)); // HPRE_HW_TASK_INIT, HPRE_HW_TASK_DONE
        Assert.Equal(0x2ul, HisiHpreSqe.VerifyPassed); // ecc_verf_out_transfer: (low_out >> 1) & 1

        // task_len1 = key bytes / 8 - 1 (rsa_send, dh_send, ecc_fill): 4096-bit RSA is 63, a 256-bit curve 3.
        Assert.Equal((63u, 3u, 8u), (HisiHpreSqe.TaskLength(512), HisiHpreSqe.TaskLength(32), HisiHpreSqe.TaskLength(72)));
        var sqe = new HisiHpreSqe { Dw0 = HisiHpreSqe.Submitted(HisiHpreAlgorithm.EcdsaVerify) | (0x155u << 5) | (0x2aaau << 16), Dw1 = HisiHpreSqe.TaskLength(512) };
        Assert.Equal((HisiHpreAlgorithm.EcdsaVerify, 0x155u, 0x2aaau, 1u, 512), (sqe.Algorithm, sqe.ErrorType, sqe.ErrorType1, sqe.Done, sqe.OperandBytes));
    }

    [Fact]
    public void TaskCodesAreUadksEnum()
    {
        // enum hpre_alg_type
        Assert.Equal([0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0xD, 0xE, 0xF, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15], new[]
        {
            HisiHpreAlgorithm.RsaNoCrt, HisiHpreAlgorithm.RsaCrt, HisiHpreAlgorithm.RsaKeyGenStandard, HisiHpreAlgorithm.RsaKeyGenCrt,
            HisiHpreAlgorithm.DhG2, HisiHpreAlgorithm.Dh, HisiHpreAlgorithm.EcdhMultiply, HisiHpreAlgorithm.EcdsaSign,
            HisiHpreAlgorithm.EcdsaVerify, HisiHpreAlgorithm.XdhMultiply, HisiHpreAlgorithm.Sm2KeyGen, HisiHpreAlgorithm.Sm2Sign,
            HisiHpreAlgorithm.Sm2Verify, HisiHpreAlgorithm.Sm2Encrypt, HisiHpreAlgorithm.Sm2Decrypt,
        }.Select(c => (int)c));
    }
}
