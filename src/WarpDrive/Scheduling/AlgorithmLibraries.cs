namespace WarpDrive.Scheduling;

/// <summary>Names and operation types of the <see cref="AlgorithmLibrary"/> values.</summary>
internal static class AlgorithmLibraries
{
    private static readonly string[] s_compOperations = ["comp", "decomp"];
    private static readonly string[] s_cipherOperations = ["encrypt", "decrypt"];

    /// <summary>Every library.</summary>
    public static readonly AlgorithmLibrary[] All = Enum.GetValues<AlgorithmLibrary>();

    /// <summary>The library's part of its environment variables' names (<c>COMP</c> in <c>WD_COMP_CTX_NUM</c>).</summary>
    public static string EnvironmentName(AlgorithmLibrary library) => library.ToString().ToUpperInvariant();

    /// <summary>Mix mode's default for <paramref name="library"/>: requests with fewer input bytes run inline in the
    /// caller's thread, where the work costs less CPU than a queue's round trip (submission, reaping, a thread hop),
    /// measured with <c>wd bench</c> (docs/PERFORMANCE.md, "Mix mode thresholds"). HPRE's requests cost the same
    /// whatever their size and always pay for the hop, so they are always offloaded.</summary>
    public static int DefaultInlineThreshold(AlgorithmLibrary library) => library switch
    {
        AlgorithmLibrary.Comp => 1024,
        AlgorithmLibrary.Cipher or AlgorithmLibrary.Aead => 4096,
        AlgorithmLibrary.Digest => 2048,
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
