using System.IO.Compression;
using Microsoft.AspNetCore.ResponseCompression;
using WarpDrive.AspNetCore;

// The server of bench/aspnet.sh: one compression setup per process, chosen on the command line, serving the same JSON
// bodies at /json/1k, /json/10k, /json/100k and /json/1m (serialised per request, straight into the response, as a
// service does); /stats says which path WarpDrive's provider took.
//   dotnet WarpDrive.AspNetBench.dll --compression warpdrive|runtime|none --level Fastest|Optimal --urls http://127.0.0.1:5100
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
string compression = builder.Configuration["compression"] ?? "warpdrive";
CompressionLevel level = Enum.Parse<CompressionLevel>(builder.Configuration["level"] ?? "Fastest");
switch (compression)
{
    case "warpdrive":
        builder.Services.AddWarpDriveResponseCompression(configureGzip: gzip => gzip.Level = level);
        builder.Services.Configure<WarpDriveZstdCompressionProviderOptions>(zstd => zstd.Level = level); // asked with Accept-Encoding: zstd
        break;
    case "runtime":
        builder.Services.AddResponseCompression(options => options.Providers.Add<GzipCompressionProvider>());
        builder.Services.Configure<GzipCompressionProviderOptions>(options => options.Level = level);
        break;
    case "none":
        break;
    default:
        Console.Error.WriteLine($"aspnet-bench: --compression must be warpdrive, runtime or none, not '{compression}'");
        return 2;
}

WebApplication app = builder.Build();
if (compression != "none")
{
    app.UseResponseCompression();
}

var bodies = new Dictionary<string, Reading[]>
{
    ["1k"] = Reading.Make(1 << 10),
    ["10k"] = Reading.Make(10 << 10),
    ["100k"] = Reading.Make(100 << 10),
    ["1m"] = Reading.Make(1 << 20),
};
app.MapGet("/json/{size}", (string size) => bodies.TryGetValue(size, out Reading[]? body) ? Results.Json(body) : Results.NotFound());
app.MapGet("/stats", (IServiceProvider services) => services.GetService<WarpDriveGzipCompressionProvider>() is { } gzip
    ? Results.Json(new { device = gzip.DeviceStreamCount, fallback = gzip.FallbackStreamCount, small = gzip.SmallResponseCount })
    : Results.Json(new { device = 0, fallback = 0, small = 0 }));
app.Run();
return 0;

/// <summary>One element of a JSON body: about 80 bytes serialised, with the repetition of real API responses.</summary>
internal sealed record Reading(int Id, string Device, string Algorithm, double Value, bool Flagged)
{
    private static readonly string[] s_algorithms = ["gzip", "deflate", "aes-gcm", "sha256", "rsa"];

    /// <summary>Readings whose JSON array is about <paramref name="bytes"/> long.</summary>
    public static Reading[] Make(int bytes)
    {
        var random = new Random(bytes);
        int count = Math.Max(1, bytes / 82);
        return [.. Enumerable.Range(0, count).Select(i =>
            new Reading(i, $"zip-{i % 4}", s_algorithms[random.Next(s_algorithms.Length)], Math.Round(random.NextDouble() * 1000, 3), i % 7 == 0))];
    }
}
