using System.Globalization;

namespace WarpDrive.Soak;

/// <summary>A client process's settings, from <c>client --seconds S --seed N --name NAME</c>.</summary>
/// <param name="Seconds">How long the client runs its load before it drains and exits (closing its stdin stops it sooner).</param>
/// <param name="Seed">Seed of its random choices.</param>
/// <param name="Name">Its name in the logs, e.g. <c>c2.5</c> (slot 2, fifth generation).</param>
internal sealed record ClientOptions(double Seconds, int Seed, string Name)
{
    /// <summary>Parses the arguments after <c>client</c>.</summary>
    /// <exception cref="ArgumentException">An unknown option or a bad number.</exception>
    public static ClientOptions Parse(string[] args)
    {
        var options = new ClientOptions(60, Environment.ProcessId, $"client-{Environment.ProcessId}");
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--seed" => options with { Seed = int.Parse(args[i + 1], CultureInfo.InvariantCulture) },
                "--name" => options with { Name = args[i + 1] },
                _ => throw new ArgumentException($"unknown client option {args[i]}"),
            };
        }

        return options;
    }
}
