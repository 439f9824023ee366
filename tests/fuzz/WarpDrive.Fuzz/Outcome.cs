namespace WarpDrive.Fuzz;

/// <summary>What one decompressor made of an input: the bytes, or a data error, or more output than the harness's cap.</summary>
internal readonly record struct Outcome(bool Ok, byte[] Bytes, string Error, bool OverCap)
{
    public static Outcome Success(ReadOnlySpan<byte> bytes) => new(true, bytes.ToArray(), "", false);

    public static Outcome Failure(string error) => new(false, [], error, false);

    public static Outcome TooLarge() => new(false, [], "over the cap", true);

    public override string ToString() => OverCap ? "over the cap" : Ok ? $"ok, {Bytes.Length} bytes" : $"data error: {Error}";
}
