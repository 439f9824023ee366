using System.Runtime.InteropServices;
using WarpDrive.Abi.Uacce;

namespace WarpDrive.Tests.Uacce;

/// <summary>The SEC type-2 BD against UADK's <c>struct hisi_sec_sqe</c> and <c>struct hisi_sec_sqe_type2</c>
/// (<c>drv/hisi_sec.c</c>): its size, every field at its byte offset, the bit positions of the packed fields, and the
/// algorithm, mode and key-length codes of UADK's enums.</summary>
public sealed class HisiSecLayoutTests
{
    [Fact]
    public void TheBdIs128Bytes() => Assert.Equal(128, Marshal.SizeOf<HisiSecSqe>());

    /// <summary>Eight bytes of hisi_sec_sqe, then hisi_sec_sqe_type2 from byte 8 (offsets worked out from its members).</summary>
    [Theory]
    [InlineData(nameof(HisiSecSqe.TypeAuthCipher), 0)] // type_auth_cipher
    [InlineData(nameof(HisiSecSqe.SdsSaType), 1)] // sds_sa_type
    [InlineData(nameof(HisiSecSqe.SdmAddrType), 2)] // sdm_addr_type
    [InlineData(nameof(HisiSecSqe.HukCiKey), 4)] // huk_ci_key (after rsvd0)
    [InlineData(nameof(HisiSecSqe.AiApdCs), 5)] // ai_apd_cs
    [InlineData(nameof(HisiSecSqe.RcaKeyFrm), 6)] // rca_key_frm
    [InlineData(nameof(HisiSecSqe.IvTlsLd), 7)] // iv_tls_ld
    [InlineData(nameof(HisiSecSqe.MacKeyAlg), 8)] // type2.mac_key_alg
    [InlineData(nameof(HisiSecSqe.CipherModeKeyLength), 12)] // type2.icvw_kmode
    [InlineData(nameof(HisiSecSqe.CipherAlgorithm), 14)] // type2.c_alg
    [InlineData(nameof(HisiSecSqe.AuthLengthIvLow), 16)] // type2.alen_ivllen (after rsvd4)
    [InlineData(nameof(HisiSecSqe.CipherLengthIvHigh), 20)] // type2.clen_ivhlen
    [InlineData(nameof(HisiSecSqe.AuthSourceOffset), 24)] // type2.auth_src_offset
    [InlineData(nameof(HisiSecSqe.CipherSourceOffset), 26)] // type2.cipher_src_offset
    [InlineData(nameof(HisiSecSqe.Tag), 40)] // type2.tag (after the ip/udp header offsets, pass_word_len, dk_len, salt3-0)
    [InlineData(nameof(HisiSecSqe.LongAuthDataLength), 48)] // type2.long_a_data_len (after rsvd5, cph_pad, c_pad_len_field)
    [InlineData(nameof(HisiSecSqe.AuthIvAddress), 56)] // type2.a_ivin_addr
    [InlineData(nameof(HisiSecSqe.AuthKeyAddress), 64)] // type2.a_key_addr
    [InlineData(nameof(HisiSecSqe.MacAddress), 72)] // type2.mac_addr
    [InlineData(nameof(HisiSecSqe.CipherIvAddress), 80)] // type2.c_ivin_addr
    [InlineData(nameof(HisiSecSqe.CipherKeyAddress), 88)] // type2.c_key_addr
    [InlineData(nameof(HisiSecSqe.SourceAddress), 96)] // type2.data_src_addr
    [InlineData(nameof(HisiSecSqe.DestinationAddress), 104)] // type2.data_dst_addr
    [InlineData(nameof(HisiSecSqe.DoneFlag), 112)] // type2.done_flag
    [InlineData(nameof(HisiSecSqe.ErrorType), 114)] // type2.error_type
    [InlineData(nameof(HisiSecSqe.WarningType), 115)] // type2.warning_type
    [InlineData(nameof(HisiSecSqe.Counter), 124)] // type2.counter (after mac_i3-0, check_sum_i, tls_pad_len_i, rsvd12)
    public void BdFieldsSitAtTheirOffset(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<HisiSecSqe>(field));

    [Fact]
    public void PackedFieldsUseUadksShifts()
    {
        Assert.Equal(4, HisiSecSqe.CipherShift); // SEC_CIPHER_OFFSET
        Assert.Equal(6, HisiSecSqe.AuthShift); // AUTHTYPE_OFFSET
        Assert.Equal(1, HisiSecSqe.DestinationEnableShift); // SEC_DE_OFFSET
        Assert.Equal(3, HisiSecSqe.SceneShift); // SEC_SCENE_OFFSET
        Assert.Equal(5, HisiSecSqe.AuthKeyLengthShift); // MAC_LEN_OFFSET
        Assert.Equal(11, HisiSecSqe.AuthAlgorithmShift); // AUTH_ALG_OFFSET
        Assert.Equal(9, HisiSecSqe.CipherKeyLengthShift); // SEC_CKEY_OFFSET
        Assert.Equal(12, HisiSecSqe.CipherModeShift); // SEC_CMODE_OFFSET
        Assert.Equal(0x80, HisiSecSqe.SourceSgl); // SEC_SGL_SDS_MASK
        Assert.Equal(0x04, HisiSecSqe.DestinationSgl); // SEC_SGL_SDM_MASK
        Assert.Equal(0xe, HisiSecSqe.IcvMask); // SEC_ICV_MASK
        Assert.Equal(0xfffe00u, HisiSecSqe.MaxInputLength); // MAX_INPUT_DATA_LEN
        Assert.Equal((2, 1, 2, 1, 1), (HisiSecSqe.BdType2, HisiSecSqe.CipherEncrypt, HisiSecSqe.CipherDecrypt, HisiSecSqe.AuthCalculate, HisiSecSqe.SceneIpsec));
        Assert.Equal((0, 1, 2), (HisiSecSqe.KeyLength128, HisiSecSqe.KeyLength192, HisiSecSqe.KeyLength256)); // enum C_KEY_LEN
        Assert.Equal(1, HisiSecSqe.DigestThenCipher); // WD_DIGEST_THEN_CIPHER (WD_CIPHER_THEN_DIGEST is 0)
        Assert.Equal(0x3f, HisiSecSqe.IcvLengthMask); // icvw_kmode bits 0-5, auth_bytes in fill_aead_bd2_mode
        Assert.Equal(0x2, HisiSecSqe.IcvError); // SEC_HW_ICV_ERR
        Assert.Equal(65279, HisiSecSqe.MaxCcmAadLength); // MAX_CCM_AAD_LEN
    }

    [Fact]
    public void CodesAreUadksEnums()
    {
        // enum C_ALG
        Assert.Equal([0, 1, 2, 3], new[] { HisiSecCipherAlgorithm.Des, HisiSecCipherAlgorithm.TripleDes, HisiSecCipherAlgorithm.Aes, HisiSecCipherAlgorithm.Sm4 }.Select(c => (int)c));
        // enum C_MODE
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], new[]
        {
            HisiSecCipherMode.Ecb, HisiSecCipherMode.Cbc, HisiSecCipherMode.Cfb, HisiSecCipherMode.Ofb, HisiSecCipherMode.Ctr,
            HisiSecCipherMode.Ccm, HisiSecCipherMode.Gcm, HisiSecCipherMode.Xts,
        }.Select(c => (int)c));
        // enum A_ALG
        Assert.Equal([0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x21, 0x25, 0x26], new[]
        {
            HisiSecAuthAlgorithm.Sha1, HisiSecAuthAlgorithm.Sha256, HisiSecAuthAlgorithm.Md5, HisiSecAuthAlgorithm.Sha224,
            HisiSecAuthAlgorithm.Sha384, HisiSecAuthAlgorithm.Sha512, HisiSecAuthAlgorithm.HmacSha1, HisiSecAuthAlgorithm.HmacSha256,
            HisiSecAuthAlgorithm.HmacMd5, HisiSecAuthAlgorithm.HmacSha224, HisiSecAuthAlgorithm.HmacSha384, HisiSecAuthAlgorithm.HmacSha512,
            HisiSecAuthAlgorithm.AesCmac, HisiSecAuthAlgorithm.Sm3, HisiSecAuthAlgorithm.HmacSm3,
        }.Select(c => (int)c));
    }
}
