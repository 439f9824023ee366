namespace WarpDrive.Crypto;

/// <summary>Finite-field Diffie-Hellman domain parameters: a safe prime <see cref="Prime"/> and a generator
/// <see cref="Generator"/>, both big-endian. The well-known groups are properties; any other group of a 768 to
/// 4096-bit odd prime may be built with the constructor.</summary>
/// <param name="Prime">p, big-endian, without a leading zero byte (its length is the length of every public value).</param>
/// <param name="Generator">g, big-endian, 1 &lt; g &lt; p - 1.</param>
public sealed record DhGroup(ReadOnlyMemory<byte> Prime, ReadOnlyMemory<byte> Generator)
{
    private const string Modp2048Hex =
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DDEF9519B3CD3A431B"
        + "302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE6"
        + "49286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D"
        + "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF695581718"
        + "3995497CEA956AE515D2261898FA051015728E5A8AACAA68FFFFFFFFFFFFFFFF";

    private const string Ffdhe2048Hex =
        "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939DCE249B3EF97D2FE363630C75D8"
        + "F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED1AF3B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE872"
        + "1DF158A136ADE73530ACCA4F483A797ABC0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB19"
        + "0B07A7C8EE0A6D709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD733BB5FCBC2EC22005"
        + "C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF";

    /// <summary>The 2048-bit MODP group of RFC 3526 (group 14), generator 2. A new instance each time: the caller may
    /// keep or change it.</summary>
    public static DhGroup Modp2048 => new(Convert.FromHexString(Modp2048Hex), new byte[] { 2 });

    /// <summary>The ffdhe2048 group of RFC 7919, generator 2. A new instance each time.</summary>
    public static DhGroup Ffdhe2048 => new(Convert.FromHexString(Ffdhe2048Hex), new byte[] { 2 });
}
