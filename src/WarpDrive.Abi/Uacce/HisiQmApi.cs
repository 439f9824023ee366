namespace WarpDrive.Abi.Uacce;

/// <summary>The <c>api</c> attribute values of HiSilicon QM devices (<c>HISI_QM_API_VER*_BASE</c> in
/// <c>include/uapi/misc/uacce/hisi_qm.h</c>); the kernel may append a suffix, so compare prefixes.</summary>
public static class HisiQmApi
{
    /// <summary><c>HISI_QM_API_VER_BASE</c>: Hi1620 ES (v1 doorbells).</summary>
    public const string V1 = "hisi_qm_v1";

    /// <summary><c>HISI_QM_API_VER2_BASE</c>: Kunpeng 920 (v2 doorbells, the format this driver speaks).</summary>
    public const string V2 = "hisi_qm_v2";

    /// <summary><c>HISI_QM_API_VER3_BASE</c>.</summary>
    public const string V3 = "hisi_qm_v3";

    /// <summary><c>HISI_QM_API_VER5_BASE</c>.</summary>
    public const string V5 = "hisi_qm_v5";
}
