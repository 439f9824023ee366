using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>The supervisor's settings: how long, how many client processes, where the samples go.</summary>
internal sealed record SoakOptions
{
    /// <summary>Length of the loaded part of the run (clients running), in minutes.</summary>
    public double Minutes { get; init; } = 10;

    /// <summary>Client processes running at once.</summary>
    public int Clients { get; init; } = 4;

    /// <summary>Folder for samples.csv, summary.json and the logs.</summary>
    public string OutputDirectory { get; init; } = Path.Combine(Path.GetTempPath(), "wd-soak");

    /// <summary>Seconds between two samples of the broker.</summary>
    public double SampleSeconds { get; init; } = 5;

    /// <summary>Length of the loaded part of the run.</summary>
    public TimeSpan Duration => TimeSpan.FromMinutes(Minutes);

    /// <summary>The warm-up excluded from the flatness check: 20 % of the run, at least 60 s, at most half of it.</summary>
    public TimeSpan WarmUp => TimeSpan.FromSeconds(Math.Min(Math.Max(Duration.TotalSeconds * 0.2, 60), Duration.TotalSeconds / 2));

    /// <summary>Parses <c>--minutes N --clients N --out DIR --sample-seconds S</c>.</summary>
    /// <exception cref="ArgumentException">An unknown option or a value out of range.</exception>
    public static SoakOptions Parse(string[] args)
    {
        var options = new SoakOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--minutes" => options with { Minutes = Positive(value, args[i]) },
                "--clients" => options with { Clients = (int)Positive(value, args[i]) },
                "--out" => options with { OutputDirectory = Path.GetFullPath(value) },
                "--sample-seconds" => options with { SampleSeconds = Positive(value, args[i]) },
                _ => throw new ArgumentException($"unknown option {args[i]} (--minutes, --clients, --out, --sample-seconds)"),
            };
            i++;
        }

        return options;
    }

    private static double Positive(string value, string name) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d > 0
            ? d
            : throw new ArgumentException($"{name} takes a positive number (got '{value}')");
}
