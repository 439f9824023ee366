using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>A client's request accounting at one moment. Every request ends exactly once as
/// <see cref="Ok"/>, <see cref="ExpectedErrors"/>, <see cref="Errors"/> or <see cref="Mismatches"/>; until then it is
/// <see cref="Open"/>, and what is still open when the client has drained is lost.</summary>
/// <param name="Submitted">Requests begun (handed to the library).</param>
/// <param name="Ok">Completed successfully with the right result.</param>
/// <param name="ExpectedErrors">Failed as they had to (a wrong AES-GCM tag: AuthFailed).</param>
/// <param name="Errors">Failed when they should not have (an error status or an exception).</param>
/// <param name="Mismatches">Completed "successfully" with a wrong result (a round trip or digest that differs, a wrong tag accepted).</param>
/// <param name="Duplicates">Completions of a request that had already completed.</param>
/// <param name="Open">Submitted and not completed yet.</param>
internal readonly record struct LedgerCounts(long Submitted, long Ok, long ExpectedErrors, long Errors, long Mismatches, long Duplicates, long Open)
{
    /// <summary>Requests that completed as they should: <see cref="Ok"/> plus <see cref="ExpectedErrors"/>.</summary>
    public long Done => Ok + ExpectedErrors;

    /// <summary>Sum of two counts.</summary>
    public static LedgerCounts operator +(LedgerCounts a, LedgerCounts b) => new(
        a.Submitted + b.Submitted, a.Ok + b.Ok, a.ExpectedErrors + b.ExpectedErrors, a.Errors + b.Errors,
        a.Mismatches + b.Mismatches, a.Duplicates + b.Duplicates, a.Open + b.Open);

    /// <summary>The line a client prints: <c>submitted=N ok=N expected=N errors=N mismatches=N duplicates=N open=N</c>.</summary>
    public string ToLine() => string.Create(CultureInfo.InvariantCulture,
        $"submitted={Submitted} ok={Ok} expected={ExpectedErrors} errors={Errors} mismatches={Mismatches} duplicates={Duplicates} open={Open}");

    /// <summary>Reads back <see cref="ToLine"/>'s text.</summary>
    /// <exception cref="FormatException">Not such a line.</exception>
    public static LedgerCounts Parse(string text)
    {
        var values = text.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.Split('='))
            .ToDictionary(kv => kv[0], kv => long.Parse(kv[1], CultureInfo.InvariantCulture));
        return new(values["submitted"], values["ok"], values["expected"], values["errors"], values["mismatches"], values["duplicates"], values["open"]);
    }
}
