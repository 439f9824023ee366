using System.Runtime.InteropServices;

namespace WarpDrive.Abi.Uacce;

/// <summary>A HiSilicon SEC (hisi_sec2) submission queue entry of type 2, the BD of Kunpeng 920's SEC: 128 bytes
/// (UADK's <c>struct hisi_sec_sqe</c> with <c>struct hisi_sec_sqe_type2</c> in <c>drv/hisi_sec.c</c>; the kernel's
/// <c>struct sec_sqe</c> in <c>drivers/crypto/hisilicon/sec2/sec_crypto.h</c>). The device writes its result
/// (<see cref="DoneFlag"/>, <see cref="ErrorType"/>) back into the same entry; the CQE names the slot.</summary>
[StructLayout(LayoutKind.Explicit, Size = Size)]
public struct HisiSecSqe
{
    /// <summary>Size of an SQE in bytes (<c>SQE_BYTES_NUMS</c>).</summary>
    public const int Size = 128;

    /// <summary><see cref="TypeAuthCipher"/> bits 0-3: the BD type; 2 here (<c>BD_TYPE2</c>).</summary>
    public const byte BdType2 = 0x2;

    /// <summary><see cref="TypeAuthCipher"/> bits 4-5: the cipher direction (<c>SEC_CIPHER_OFFSET</c>).</summary>
    public const int CipherShift = 4;

    /// <summary>Cipher direction: encrypt (<c>SEC_CIPHER_ENC</c>).</summary>
    public const byte CipherEncrypt = 0x1;

    /// <summary>Cipher direction: decrypt (<c>SEC_CIPHER_DEC</c>).</summary>
    public const byte CipherDecrypt = 0x2;

    /// <summary><see cref="TypeAuthCipher"/> bits 6-7: the authentication type (<c>AUTHTYPE_OFFSET</c>).</summary>
    public const int AuthShift = 6;

    /// <summary>Authentication type: compute the hash or MAC (<c>AUTH_HMAC_CALCULATE</c>).</summary>
    public const byte AuthCalculate = 0x1;

    /// <summary><see cref="SdsSaType"/> bits 1-2: whether the destination address is used (<c>SEC_DE_OFFSET</c>).</summary>
    public const int DestinationEnableShift = 1;

    /// <summary><see cref="SdsSaType"/> bits 3-6: the scene (<c>SEC_SCENE_OFFSET</c>); UADK uses the IPsec scene, 1.</summary>
    public const int SceneShift = 3;

    /// <summary>The IPsec scene (<c>SEC_IPSEC_SCENE</c>), which plain ciphers and digests use.</summary>
    public const byte SceneIpsec = 0x1;

    /// <summary><see cref="SdsSaType"/> bit 0: authenticate before ciphering (<c>WD_DIGEST_THEN_CIPHER</c>), which an
    /// AEAD decryption sets; 0 ciphers first (<c>WD_CIPHER_THEN_DIGEST</c>, encryption).</summary>
    public const byte DigestThenCipher = 0x1;

    /// <summary><see cref="CipherModeKeyLength"/> bits 0-5: the ICV (AEAD tag) length in bytes, for CCM and GCM
    /// (UADK's <c>fill_aead_bd2_mode</c>).</summary>
    public const ushort IcvLengthMask = 0x3f;

    /// <summary>The ICV check result (<see cref="DoneFlag"/> bits 1-3, shifted down) of an AEAD decryption whose tag did not
    /// match (<c>SEC_HW_ICV_ERR</c>).</summary>
    public const ushort IcvError = 0x2;

    /// <summary>The most associated data a CCM BD takes (<c>MAX_CCM_AAD_LEN</c>).</summary>
    public const int MaxCcmAadLength = 65279;

    /// <summary><see cref="SdsSaType"/> bit 7: the source is a hardware SGL (<c>SEC_SGL_SDS_MASK</c>).</summary>
    public const byte SourceSgl = 0x80;

    /// <summary><see cref="SdmAddrType"/> bits 2-4: the destination is a hardware SGL (<c>SEC_SGL_SDM_MASK</c>).</summary>
    public const byte DestinationSgl = 0x04;

    /// <summary><see cref="AiApdCs"/> bits 0-1: where the hash's initial value comes from (0 the algorithm's own,
    /// <c>AI_GEN_INNER</c>).</summary>
    public const byte AuthIvMask = 0x3;

    /// <summary><see cref="MacKeyAlg"/> bits 0-4: the MAC length in words.</summary>
    public const uint MacLengthMask = 0x1f;

    /// <summary><see cref="MacKeyAlg"/> bits 5-10: the authentication key length in words (<c>MAC_LEN_OFFSET</c>).</summary>
    public const int AuthKeyLengthShift = 5;

    /// <summary>Mask of the authentication key length in words (after the shift).</summary>
    public const uint AuthKeyLengthMask = 0x3f;

    /// <summary><see cref="MacKeyAlg"/> bits 11-16: the authentication algorithm (<c>AUTH_ALG_OFFSET</c>,
    /// <see cref="HisiSecAuthAlgorithm"/>).</summary>
    public const int AuthAlgorithmShift = 11;

    /// <summary>Mask of the authentication algorithm (after the shift).</summary>
    public const uint AuthAlgorithmMask = 0x3f;

    /// <summary><see cref="CipherModeKeyLength"/> bits 9-11: the cipher key length code (<c>SEC_CKEY_OFFSET</c>).</summary>
    public const int CipherKeyLengthShift = 9;

    /// <summary><see cref="CipherModeKeyLength"/> bits 12-15: the cipher mode (<c>SEC_CMODE_OFFSET</c>,
    /// <see cref="HisiSecCipherMode"/>).</summary>
    public const int CipherModeShift = 12;

    /// <summary>Key length code for AES-128 and SM4 (<c>CKEY_LEN_128BIT</c>, <c>CKEY_LEN_SM4</c>).</summary>
    public const byte KeyLength128 = 0x0;

    /// <summary>Key length code for AES-192 and three-key 3DES (<c>CKEY_LEN_192BIT</c>, <c>CKEY_LEN_3DES_3KEY</c>).</summary>
    public const byte KeyLength192 = 0x1;

    /// <summary>Key length code for AES-256 (<c>CKEY_LEN_256BIT</c>).</summary>
    public const byte KeyLength256 = 0x2;

    /// <summary><see cref="CipherLengthIvHigh"/> and <see cref="AuthLengthIvLow"/> bits 0-23: the length.</summary>
    public const uint LengthMask = 0xffffff;

    /// <summary>The most bytes one BD takes (<c>MAX_INPUT_DATA_LEN</c>).</summary>
    public const uint MaxInputLength = 0xfffe00;

    /// <summary><see cref="DoneFlag"/> bit 0: the task is done (<c>SEC_HW_TASK_DONE</c>).</summary>
    public const ushort Done = 0x1;

    /// <summary><see cref="DoneFlag"/> bits 1-3: the ICV check (AEAD decryption; <c>SEC_ICV_MASK</c>).</summary>
    public const ushort IcvMask = 0xe;

    /// <summary>byte 0: BD type (bits 0-3), cipher direction (bits 4-5), authentication type (bits 6-7).</summary>
    [FieldOffset(0)] public byte TypeAuthCipher;

    /// <summary>byte 1: seq (bit 0), destination enable (bits 1-2), scene (bits 3-6), source SGL (bit 7).</summary>
    [FieldOffset(1)] public byte SdsSaType;

    /// <summary>byte 2: destination address type (bits 2-4), MAC address type (bits 5-7).</summary>
    [FieldOffset(2)] public byte SdmAddrType;

    /// <summary>byte 4: <c>huk_ci_key</c> (the nonce length for CCM).</summary>
    [FieldOffset(4)] public byte HukCiKey;

    /// <summary>byte 5: <c>ai_apd_cs</c>: authentication IV source (bits 0-1), auth padding (bit 2).</summary>
    [FieldOffset(5)] public byte AiApdCs;

    /// <summary>byte 6: <c>rca_key_frm</c>: cipher and authentication key types.</summary>
    [FieldOffset(6)] public byte RcaKeyFrm;

    /// <summary>byte 7: <c>iv_tls_ld</c>.</summary>
    [FieldOffset(7)] public byte IvTlsLd;

    /// <summary><c>mac_key_alg</c>: MAC length in words (bits 0-4), key length in words (bits 5-10), authentication
    /// algorithm (bits 11-16).</summary>
    [FieldOffset(8)] public uint MacKeyAlg;

    /// <summary><c>icvw_kmode</c>: ICV length (bits 0-5), width (bits 6-8), key length (bits 9-11), mode (bits 12-15).</summary>
    [FieldOffset(12)] public ushort CipherModeKeyLength;

    /// <summary><c>c_alg</c>: the cipher (bits 0-3, <see cref="HisiSecCipherAlgorithm"/>).</summary>
    [FieldOffset(14)] public byte CipherAlgorithm;

    /// <summary><c>alen_ivllen</c>: bytes to authenticate (bits 0-23).</summary>
    [FieldOffset(16)] public uint AuthLengthIvLow;

    /// <summary><c>clen_ivhlen</c>: bytes to cipher (bits 0-23).</summary>
    [FieldOffset(20)] public uint CipherLengthIvHigh;

    /// <summary><c>auth_src_offset</c>.</summary>
    [FieldOffset(24)] public ushort AuthSourceOffset;

    /// <summary><c>cipher_src_offset</c>.</summary>
    [FieldOffset(26)] public ushort CipherSourceOffset;

    /// <summary><c>tag</c>: the driver's 16-bit request tag, returned as written.</summary>
    [FieldOffset(40)] public ushort Tag;

    /// <summary><c>long_a_data_len</c>: the whole message in bits, on the last BD of a long hash.</summary>
    [FieldOffset(48)] public ulong LongAuthDataLength;

    /// <summary><c>a_ivin_addr</c>: the hash's intermediate value (long hash).</summary>
    [FieldOffset(56)] public ulong AuthIvAddress;

    /// <summary><c>a_key_addr</c>: the authentication (HMAC) key.</summary>
    [FieldOffset(64)] public ulong AuthKeyAddress;

    /// <summary><c>mac_addr</c>: where the digest or MAC goes.</summary>
    [FieldOffset(72)] public ulong MacAddress;

    /// <summary><c>c_ivin_addr</c>: the cipher IV.</summary>
    [FieldOffset(80)] public ulong CipherIvAddress;

    /// <summary><c>c_key_addr</c>: the cipher key.</summary>
    [FieldOffset(88)] public ulong CipherKeyAddress;

    /// <summary><c>data_src_addr</c>: the input.</summary>
    [FieldOffset(96)] public ulong SourceAddress;

    /// <summary><c>data_dst_addr</c>: the output (ciphers).</summary>
    [FieldOffset(104)] public ulong DestinationAddress;

    /// <summary><c>done_flag</c> (result): done (bit 0), ICV (bits 1-3), csc (bits 4-6), flag (bits 7-10).</summary>
    [FieldOffset(112)] public ushort DoneFlag;

    /// <summary><c>error_type</c> (result): 0 when the task succeeded.</summary>
    [FieldOffset(114)] public byte ErrorType;

    /// <summary><c>warning_type</c> (result).</summary>
    [FieldOffset(115)] public byte WarningType;

    /// <summary><c>counter</c>: the last dword.</summary>
    [FieldOffset(124)] public uint Counter;
}
