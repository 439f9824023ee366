using WarpDrive.Soak;

// WarpDrive.Soak [--minutes N] [--clients N] [--out DIR] [--sample-seconds S]: the supervisor (tests/soak/run.sh).
// WarpDrive.Soak client --seconds S --seed N --name NAME: one client process of mixed load (started by the supervisor).
try
{
    return args is ["client", .. var rest]
        ? LoadClient.Run(ClientOptions.Parse(rest))
        : await Supervisor.RunAsync(SoakOptions.Parse(args));
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"WarpDrive.Soak: {e.Message}");
    return 2;
}
