namespace WarpDrive.Broker;

/// <summary>The standalone <c>wdd</c> executable.</summary>
internal static class Program
{
    private static int Main(string[] args) => args.Length >= 0 ? 0 : 1;
}
