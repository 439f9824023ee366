namespace WarpDrive.Scheduling;

/// <summary>Names and operation types of the <see cref="AlgorithmLibrary"/> values.</summary>
internal static class AlgorithmLibraries
{
    private static readonly string[] s_compOperations = ["comp", "decomp"];
    private static readonly string[] s_cipherOperations = ["encrypt", "decrypt"];

    /// <summary>Every library.</summary>
    public static readonly AlgorithmLibrary[] All = Enum.GetValues<AlgorithmLibrary>();

    /// <summary>The library whose requests carry <paramref name="opcode"/>, as an index into <see cref="All"/>; -1 for a
    /// no-op or a stream's release (no library's request of its own).</summary>
    public static int IndexOf(Abi.Opcode opcode) => opcode switch
    {
        Abi.Opcode.Compress or Abi.Opcode.Decompress => (int)AlgorithmLibrary.Comp,
        Abi.Opcode.CipherEncrypt or Abi.Opcode.CipherDecrypt => (int)AlgorithmLibrary.Cipher,
        Abi.Opcode.Digest => (int)AlgorithmLibrary.Digest,
        Abi.Opcode.AeadEncrypt or Abi.Opcode.AeadDecrypt => (int)AlgorithmLibrary.Aead,
        >= Abi.Opcode.RsaSign and <= Abi.Opcode.RsaKeyGen => (int)AlgorithmLibrary.Rsa,
        Abi.Opcode.DhCompute => (int)AlgorithmLibrary.Dh,
        >= Abi.Opcode.EccSign and <= Abi.Opcode.EccDecrypt => (int)AlgorithmLibrary.Ecc,
        _ => -1,
    };

    /// <summary>The library's part of its environment variables' names (<c>COMP</c> in <c>WD_COMP_CTX_NUM</c>).</summary>
    public static string EnvironmentName(AlgorithmLibrary library) => library.ToString().ToUpperInvariant();

    /// <summary>Mix mode's default for <paramref name="library"/>: requests with fewer input bytes run inline in the
    /// caller's thread, because doing the work there costs the caller less CPU than handing it to a queue
    /// (submission, reaping, completion), measured with <c>bench/mix.sh</c> (docs/PERFORMANCE.md, "Mix mode
    /// thresholds"): AES-GCM and SHA-256 cross over at 2 KiB. A deflate request costs a few microseconds of setup at
    /// any size, more than the hand-off, and HPRE's requests are expensive at any size: both are always offloaded.
    /// (Synchronous requests for an in-process device run inline at any size: <see cref="LibraryScheduler.SyncInlineOnInProcessDevice"/>.)</summary>
    public static int DefaultInlineThreshold(AlgorithmLibrary library) => library switch
    {
        AlgorithmLibrary.Cipher or AlgorithmLibrary.Aead or AlgorithmLibrary.Digest => 2048,
        _ => 0,
    };

    /// <summary>The operation types a context group may name (<c>sync-comp</c>); empty when it has none.</summary>
    public static IReadOnlyList<string> Operations(AlgorithmLibrary library) => library switch
    {
        AlgorithmLibrary.Comp => s_compOperations,
        AlgorithmLibrary.Cipher or AlgorithmLibrary.Aead => s_cipherOperations,
        _ => [],
    };
}
