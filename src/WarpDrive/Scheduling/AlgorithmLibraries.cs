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

    /// <summary>The operation types a context group may name (<c>sync-comp</c>); empty when it has none.</summary>
    public static IReadOnlyList<string> Operations(AlgorithmLibrary library) => library switch
    {
        AlgorithmLibrary.Comp => s_compOperations,
        AlgorithmLibrary.Cipher or AlgorithmLibrary.Aead => s_cipherOperations,
        _ => [],
    };
}
