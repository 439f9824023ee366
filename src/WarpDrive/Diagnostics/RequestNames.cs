using WarpDrive.Abi;

namespace WarpDrive.Diagnostics;

/// <summary>The metric tag values of a request, read from its SQE's <c>Opcode</c>, <c>Algorithm</c> and <c>Mode</c>
/// bytes: every value is a string made once here, so tagging a measurement allocates nothing, and the set of values is
/// bounded (an unknown byte reads <see cref="Unknown"/>).</summary>
internal static class RequestNames
{
    /// <summary>The tag value of an opcode or algorithm byte that has no name.</summary>
    public const string Unknown = "unknown";

    private static readonly string[] s_operations = Table(
        (Opcode.Nop, "nop"),
        (Opcode.Compress, "compress"),
        (Opcode.Decompress, "decompress"),
        (Opcode.StreamRelease, "release"),
        (Opcode.CipherEncrypt, "encrypt"),
        (Opcode.CipherDecrypt, "decrypt"),
        (Opcode.Digest, "digest"),
        (Opcode.AeadEncrypt, "encrypt"),
        (Opcode.AeadDecrypt, "decrypt"),
        (Opcode.RsaSign, "sign"),
        (Opcode.RsaVerify, "verify"),
        (Opcode.RsaEncrypt, "encrypt"),
        (Opcode.RsaDecrypt, "decrypt"),
        (Opcode.RsaKeyGen, "keygen"),
        (Opcode.DhCompute, "compute"),
        (Opcode.EccSign, "sign"),
        (Opcode.EccVerify, "verify"),
        (Opcode.EccKeyGen, "keygen"),
        (Opcode.EccAgree, "agree"),
        (Opcode.EccEncrypt, "encrypt"),
        (Opcode.EccDecrypt, "decrypt"));

    private static readonly string[] s_compression = Table(
        (CompAlgorithm.Deflate, "deflate"),
        (CompAlgorithm.Zlib, "zlib"),
        (CompAlgorithm.Gzip, "gzip"),
        (CompAlgorithm.Zstd, "zstd"),
        (CompAlgorithm.Lz4, "lz4"));

    private static readonly string[] s_ciphers = Table(
        (CipherAlgorithm.AesEcb, "aes-ecb"),
        (CipherAlgorithm.AesCbc, "aes-cbc"),
        (CipherAlgorithm.AesCtr, "aes-ctr"),
        (CipherAlgorithm.AesXts, "aes-xts"),
        (CipherAlgorithm.AesOfb, "aes-ofb"),
        (CipherAlgorithm.AesCfb, "aes-cfb"),
        (CipherAlgorithm.Sm4Ecb, "sm4-ecb"),
        (CipherAlgorithm.Sm4Cbc, "sm4-cbc"),
        (CipherAlgorithm.Sm4Ctr, "sm4-ctr"),
        (CipherAlgorithm.Sm4Xts, "sm4-xts"),
        (CipherAlgorithm.TripleDesEcb, "des-ede3"),
        (CipherAlgorithm.TripleDesCbc, "des-ede3-cbc"));

    private static readonly (DigestAlgorithm Algorithm, string Name)[] s_digestNames =
    [
        (DigestAlgorithm.Md5, "md5"),
        (DigestAlgorithm.Sha1, "sha1"),
        (DigestAlgorithm.Sha224, "sha224"),
        (DigestAlgorithm.Sha256, "sha256"),
        (DigestAlgorithm.Sha384, "sha384"),
        (DigestAlgorithm.Sha512, "sha512"),
        (DigestAlgorithm.Sha3_256, "sha3-256"),
        (DigestAlgorithm.Sha3_512, "sha3-512"),
        (DigestAlgorithm.Sm3, "sm3"),
        (DigestAlgorithm.AesCmac, "aes-cmac"),
    ];

    private static readonly string[] s_digests = Table(s_digestNames);

    private static readonly string[] s_hmacs = Table([.. s_digestNames.Select(d => (d.Algorithm, "hmac-" + d.Name))]);

    private static readonly string[] s_aeads = Table(
        (AeadAlgorithm.AesGcm, "aes-gcm"),
        (AeadAlgorithm.AesCcm, "aes-ccm"),
        (AeadAlgorithm.Sm4Gcm, "sm4-gcm"),
        (AeadAlgorithm.ChaCha20Poly1305, "chacha20-poly1305"));

    private static readonly string[] s_curves = Table(
        (EccCurve.P256, "p256"),
        (EccCurve.P384, "p384"),
        (EccCurve.P521, "p521"),
        (EccCurve.X25519, "x25519"),
        (EccCurve.Ed25519, "ed25519"),
        (EccCurve.Sm2, "sm2"));

    private static readonly string[] s_statuses = Table(
        (CompletionStatus.Ok, "Ok"),
        (CompletionStatus.BadRequest, "BadRequest"),
        (CompletionStatus.AddressFault, "AddressFault"),
        (CompletionStatus.OutOfSpace, "OutOfSpace"),
        (CompletionStatus.DataError, "DataError"),
        (CompletionStatus.Busy, "Busy"),
        (CompletionStatus.Disabled, "Disabled"),
        (CompletionStatus.Unsupported, "Unsupported"),
        (CompletionStatus.InternalError, "InternalError"),
        (CompletionStatus.AuthFailed, "AuthFailed"),
        (CompletionStatus.KeyRejected, "KeyRejected"));

    private static readonly string[] s_dataErrors = Table(
        (DataErrorKind.None, "None"),
        (DataErrorKind.Truncated, "Truncated"),
        (DataErrorKind.InvalidData, "InvalidData"),
        (DataErrorKind.InvalidHeader, "InvalidHeader"),
        (DataErrorKind.ChecksumMismatch, "ChecksumMismatch"),
        (DataErrorKind.TrailingGarbage, "TrailingGarbage"),
        (DataErrorKind.NeedsDictionary, "NeedsDictionary"),
        (DataErrorKind.OutputLimitExceeded, "OutputLimitExceeded"),
        (DataErrorKind.BadDictionary, "BadDictionary"));

    /// <summary>The operation: compress, decompress, encrypt, decrypt, digest, sign, verify, keygen, compute, agree,
    /// release or nop.</summary>
    public static string Operation(Opcode opcode) => s_operations[(byte)opcode];

    /// <summary>The algorithm: gzip, zlib, deflate; aes-cbc, sm4-xts, ...; sha256, hmac-sha256, aes-cmac, ...; aes-gcm,
    /// chacha20-poly1305, ...; rsa; dh; the curve for ECC (p256, x25519, ed25519, sm2, ...); nop; none for a stream's
    /// release.</summary>
    public static string Algorithm(Opcode opcode, byte algorithm, byte mode) => opcode switch
    {
        Opcode.Nop => "nop",
        Opcode.Compress or Opcode.Decompress => s_compression[algorithm],
        Opcode.StreamRelease => "none", // the SQE names no algorithm: the device frees the stream it holds
        Opcode.CipherEncrypt or Opcode.CipherDecrypt => s_ciphers[algorithm],
        Opcode.Digest => mode == (byte)DigestMode.Hmac ? s_hmacs[algorithm] : s_digests[algorithm],
        Opcode.AeadEncrypt or Opcode.AeadDecrypt => s_aeads[algorithm],
        Opcode.RsaSign or Opcode.RsaVerify or Opcode.RsaEncrypt or Opcode.RsaDecrypt or Opcode.RsaKeyGen => "rsa",
        Opcode.DhCompute => "dh",
        Opcode.EccSign or Opcode.EccVerify or Opcode.EccKeyGen or Opcode.EccAgree or Opcode.EccEncrypt or Opcode.EccDecrypt => s_curves[algorithm],
        _ => Unknown,
    };

    /// <summary>The <see cref="CompletionStatus"/> member's name (<c>DataError</c>, ...).</summary>
    public static string Status(CompletionStatus status) => (ushort)status < s_statuses.Length ? s_statuses[(ushort)status] : Unknown;

    /// <summary>The <see cref="DataErrorKind"/> member's name (<c>Truncated</c>, ...).</summary>
    public static string DataError(uint detail) => detail < (uint)s_dataErrors.Length ? s_dataErrors[detail] : Unknown;

    private static string[] Table<T>(params (T Value, string Name)[] names)
        where T : struct, Enum
    {
        int size = 256;
        foreach ((T value, _) in names)
        {
            size = Math.Max(size, Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture) + 1);
        }

        string[] table = new string[size];
        Array.Fill(table, Unknown);
        foreach ((T value, string name) in names)
        {
            table[Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)] = name;
        }

        return table;
    }
}
