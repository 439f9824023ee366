using System.Globalization;
using System.Runtime.InteropServices;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Tests.Uacce;

/// <summary>The uacce and hisi_qm ABI as libwd spells it equals what the kernel's own headers say: a C program
/// compiled against <c>/usr/include/misc/uacce/*.h</c> (Debian's linux-libc-dev, which scripts/setup.sh installs)
/// prints the ioctl numbers, structure sizes and offsets, region numbers, flags and API names, compiled for the
/// architecture that runs the test (<see cref="NativeProbe"/>: arm64's headers in the arm64 leg of CI).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class UacceKernelHeaderTests
{
    private const string Probe = """
        #include <stdio.h>
        #include <stddef.h>
        #define BIT(n) (1UL << (n)) /* the uapi header uses the kernel's BIT() */
        #include <misc/uacce/uacce.h>
        #include <misc/uacce/hisi_qm.h>
        int main(void)
        {
            printf("UACCE_CMD_START_Q=%lu\n", (unsigned long)UACCE_CMD_START_Q);
            printf("UACCE_CMD_PUT_Q=%lu\n", (unsigned long)UACCE_CMD_PUT_Q);
            printf("UACCE_CMD_QM_SET_QP_CTX=%lu\n", (unsigned long)UACCE_CMD_QM_SET_QP_CTX);
            printf("UACCE_CMD_QM_SET_QP_INFO=%lu\n", (unsigned long)UACCE_CMD_QM_SET_QP_INFO);
            printf("UACCE_DEV_SVA=%lu\n", (unsigned long)UACCE_DEV_SVA);
            printf("UACCE_QFRT_MMIO=%d\n", (int)UACCE_QFRT_MMIO);
            printf("UACCE_QFRT_DUS=%d\n", (int)UACCE_QFRT_DUS);
            printf("sizeof(hisi_qp_ctx)=%zu\n", sizeof(struct hisi_qp_ctx));
            printf("offsetof(hisi_qp_ctx.id)=%zu\n", offsetof(struct hisi_qp_ctx, id));
            printf("offsetof(hisi_qp_ctx.qc_type)=%zu\n", offsetof(struct hisi_qp_ctx, qc_type));
            printf("sizeof(hisi_qp_info)=%zu\n", sizeof(struct hisi_qp_info));
            printf("offsetof(hisi_qp_info.sqe_size)=%zu\n", offsetof(struct hisi_qp_info, sqe_size));
            printf("offsetof(hisi_qp_info.sq_depth)=%zu\n", offsetof(struct hisi_qp_info, sq_depth));
            printf("offsetof(hisi_qp_info.cq_depth)=%zu\n", offsetof(struct hisi_qp_info, cq_depth));
            printf("offsetof(hisi_qp_info.reserved)=%zu\n", offsetof(struct hisi_qp_info, reserved));
            printf("HISI_QM_API_VER_BASE=%s\n", HISI_QM_API_VER_BASE);
            printf("HISI_QM_API_VER2_BASE=%s\n", HISI_QM_API_VER2_BASE);
            printf("HISI_QM_API_VER3_BASE=%s\n", HISI_QM_API_VER3_BASE);
            return 0;
        }
        """;

    private static readonly Lazy<Dictionary<string, string>> s_kernel = new(CompileAndRunProbe);

    public static TheoryData<string, string> Expected => new()
    {
        { "UACCE_CMD_START_Q", UacceIoctl.StartQueue.ToString(CultureInfo.InvariantCulture) },
        { "UACCE_CMD_PUT_Q", UacceIoctl.PutQueue.ToString(CultureInfo.InvariantCulture) },
        { "UACCE_CMD_QM_SET_QP_CTX", UacceIoctl.QmSetQpContext.ToString(CultureInfo.InvariantCulture) },
        { "UACCE_CMD_QM_SET_QP_INFO", UacceIoctl.QmSetQpInfo.ToString(CultureInfo.InvariantCulture) },
        { "UACCE_DEV_SVA", ((uint)UacceDeviceFlags.Sva).ToString(CultureInfo.InvariantCulture) },
        { "UACCE_QFRT_MMIO", ((int)UacceRegion.Mmio).ToString(CultureInfo.InvariantCulture) },
        { "UACCE_QFRT_DUS", ((int)UacceRegion.Dus).ToString(CultureInfo.InvariantCulture) },
        { "sizeof(hisi_qp_ctx)", Marshal.SizeOf<HisiQpContext>().ToString(CultureInfo.InvariantCulture) },
        { "offsetof(hisi_qp_ctx.id)", Marshal.OffsetOf<HisiQpContext>(nameof(HisiQpContext.Id)).ToString() },
        { "offsetof(hisi_qp_ctx.qc_type)", Marshal.OffsetOf<HisiQpContext>(nameof(HisiQpContext.QcType)).ToString() },
        { "sizeof(hisi_qp_info)", Marshal.SizeOf<HisiQpInfo>().ToString(CultureInfo.InvariantCulture) },
        { "offsetof(hisi_qp_info.sqe_size)", Marshal.OffsetOf<HisiQpInfo>(nameof(HisiQpInfo.SqeSize)).ToString() },
        { "offsetof(hisi_qp_info.sq_depth)", Marshal.OffsetOf<HisiQpInfo>(nameof(HisiQpInfo.SqDepth)).ToString() },
        { "offsetof(hisi_qp_info.cq_depth)", Marshal.OffsetOf<HisiQpInfo>(nameof(HisiQpInfo.CqDepth)).ToString() },
        { "offsetof(hisi_qp_info.reserved)", Marshal.OffsetOf<HisiQpInfo>(nameof(HisiQpInfo.Reserved)).ToString() },
        { "HISI_QM_API_VER_BASE", HisiQmApi.V1 },
        { "HISI_QM_API_VER2_BASE", HisiQmApi.V2 },
        { "HISI_QM_API_VER3_BASE", HisiQmApi.V3 },
    };

    [Theory]
    [MemberData(nameof(Expected))]
    public void EqualsTheKernelHeader(string name, string ours) => Assert.Equal(s_kernel.Value[name], ours);

    [Fact]
    public void IoctlEncodingMatchesTheAsmGenericMacros()
    {
        // _IO('W', 0) and _IOWR('H', 11, 16) worked by hand from include/uapi/asm-generic/ioctl.h.
        Assert.Equal(0x5700u, IoctlNumber.Io('W', 0));
        Assert.Equal(0xC010480Bu, IoctlNumber.Iowr('H', 11, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => IoctlNumber.Iowr('H', 1, IoctlNumber.MaxSize + 1));
    }

    private static Dictionary<string, string> CompileAndRunProbe()
    {
        Assert.True(File.Exists("/usr/include/misc/uacce/uacce.h"), "/usr/include/misc/uacce/uacce.h is missing: install linux-libc-dev (scripts/setup.sh does)");
        return NativeProbe.Run(Probe);
    }
}
