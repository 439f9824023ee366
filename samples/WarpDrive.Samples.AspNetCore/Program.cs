using System.IO.Compression;
using System.Text;
using WarpDrive.AspNetCore;

// Response compression with WarpDrive: gzip on a WarpDrive ZIP device (the in-process one by default, the broker's
// with WD_MODE=broker), the runtime's GZipStream when no device is usable, and the runtime's brotli.
WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
builder.Services.AddWarpDriveResponseCompression(
    options => options.EnableForHttps = true,
    gzip => gzip.Level = CompressionLevel.Fastest);

WebApplication app = builder.Build();
app.UseResponseCompression();

// About 1 MB of text.
string text = Sample.Text(1 << 20);
app.MapGet("/", () => "WarpDrive response compression sample: GET /text, /json, /stream, /stats\n");
app.MapGet("/text", () => Results.Text(text, "text/plain; charset=utf-8"));

// A large JSON array, serialised straight into the compressed response.
app.MapGet("/json", () => Enumerable.Range(0, 20_000).Select(i => new Reading(i, $"zip-{i % 4}", i * 0.5, i % 7 == 0)));

// A response flushed part by part: each part reaches the client, decompressible, before the next is written.
app.MapGet("/stream", async (HttpResponse response, CancellationToken cancellationToken) =>
{
    response.ContentType = "text/plain; charset=utf-8";
    for (int i = 1; i <= 5; i++)
    {
        await response.WriteAsync($"part {i} of 5 at {DateTimeOffset.UtcNow:O}\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
        await Task.Delay(500, cancellationToken);
    }
});

// Which path the gzip responses took.
app.MapGet("/stats", (WarpDriveGzipCompressionProvider gzip) => new
{
    device = gzip.DeviceStreamCount,
    fallback = gzip.FallbackStreamCount,
    level = gzip.Level.ToString(),
});

app.Run();

/// <summary>One element of the JSON sample.</summary>
internal sealed record Reading(int Id, string Device, double Value, bool Flagged);

/// <summary>Sample data.</summary>
internal static class Sample
{
    private static readonly string[] s_words = ["accelerator", "queue", "device", "region", "domain", "deflate", "gzip", "engine", "shared", "memory"];

    public static string Text(int length)
    {
        var random = new Random(1);
        var sb = new StringBuilder(length + 16);
        while (sb.Length < length)
        {
            sb.Append(s_words[random.Next(s_words.Length)]).Append(random.Next(8) == 0 ? '\n' : ' ');
        }

        return sb.ToString(0, length);
    }
}
