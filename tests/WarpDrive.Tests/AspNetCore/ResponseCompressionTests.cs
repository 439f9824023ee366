using System.IO.Compression;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using WarpDrive.AspNetCore;
using WarpDrive.Devices;

namespace WarpDrive.Tests.AspNetCore;

/// <summary>ASP.NET Core's response compression with WarpDrive's gzip and zstd providers, on a real Kestrel server on
/// 127.0.0.1, asked by a real HttpClient that does not decompress (and by curl and headless Chromium); what comes back is checked with the
/// real <c>gzip -d</c> and <c>zstd -d</c> (or the runtime's BrotliStream).</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class ResponseCompressionTests : IDisposable
{
    private const int EmbeddedQueues = 4;
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("wd-aspnet-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>By default an in-process device model compresses on the request's thread (its inline twin,
    /// <c>zip-inline</c>); with <c>Offload</c>, on <c>zip-0</c>'s engines. Either way the device model read every byte.</summary>
    [Theory]
    [InlineData(false, "zip-inline")]
    [InlineData(true, "zip-0")]
    public async Task GzipResponsesAreCompressedOnTheDevice(bool offload, string device)
    {
        using WdRuntime runtime = LocalRuntime();
        byte[] body = TestData.Text(2_000_000);
        string text = Encoding.ASCII.GetString(body);
        await using WebApplication app = await StartServerAsync(runtime, a => a.MapGet("/text", () => Results.Text(text, "text/plain")),
            gzip => gzip.Offload = offload);
        using HttpClient client = Client(app);

        // Four responses at once, each on its own device stream.
        byte[][] compressed = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            using HttpResponseMessage response = await GetAsync(client, "/text", "gzip");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            Assert.Contains("Accept-Encoding", response.Headers.Vary);
            return await response.Content.ReadAsByteArrayAsync();
        }));

        foreach (byte[] gz in compressed)
        {
            Assert.True(gz.Length < body.Length / 2, $"{gz.Length} compressed bytes for {body.Length}");
            Assert.Equal(body, await CliRunner.PipeAsync("gzip", "-d", gz));
        }

        WarpDriveGzipCompressionProvider provider = app.Services.GetRequiredService<WarpDriveGzipCompressionProvider>();
        Assert.Equal(4, provider.DeviceStreamCount);
        Assert.Equal(0, provider.FallbackStreamCount);
        // The device read every byte of the four bodies.
        DeviceHost zip = (offload ? runtime.FindEmbeddedHost(device) : runtime.FindInlineHost(device))!;
        long bytesIn = Enumerable.Range(0, zip.Options.QueueCount).Sum(q => (long)zip.GetQueueStats(q).BytesIn);
        Assert.True(bytesIn >= 4L * body.Length, $"{device} read {bytesIn} bytes");
        await app.StopAsync();
    }

    /// <summary>A response that ends or is first flushed within the small-response threshold goes to the runtime's gzip,
    /// one that passes it to the device; every one gunzips to its body (checked by gzip itself).</summary>
    [Fact]
    public async Task SmallResponsesGoToTheRuntimesGzipAndTheRestToTheDevice()
    {
        using WdRuntime runtime = LocalRuntime();
        byte[] small = TestData.Text(4000, seed: 11), large = TestData.Text(300_000, seed: 12);
        await using WebApplication app = await StartServerAsync(runtime, a =>
        {
            a.MapGet("/small", () => Results.Bytes(small, "text/plain"));
            a.MapGet("/large", () => Results.Bytes(large, "text/plain"));
            a.MapGet("/flushed", async (HttpResponse response) =>
            {
                response.ContentType = "text/plain";
                await response.Body.WriteAsync(small.AsMemory(0, 100));
                await response.Body.FlushAsync(); // a streamed response: decided at its first flush, small so far
                await response.Body.WriteAsync(large); // and it stays on the runtime's gzip
                await response.Body.WriteAsync(small.AsMemory(100));
            });
        }, gzip => gzip.SmallResponseThreshold = 8192);
        using HttpClient client = Client(app);
        WarpDriveGzipCompressionProvider provider = app.Services.GetRequiredService<WarpDriveGzipCompressionProvider>();
        foreach ((string path, byte[] body) in new[] { ("/small", small), ("/large", large), ("/flushed", [.. small.AsSpan(0, 100), .. large, .. small.AsSpan(100)]), ("/small", small) })
        {
            using HttpResponseMessage response = await GetAsync(client, path, "gzip");
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            Assert.Equal(body, await CliRunner.PipeAsync("gzip", "-d", await response.Content.ReadAsByteArrayAsync()));
        }

        Assert.Equal((3, 1, 0), (provider.SmallResponseCount, provider.DeviceStreamCount, provider.FallbackStreamCount));
        await app.StopAsync();
    }

    [Fact]
    public async Task WithoutADeviceTheRuntimesGzipCompresses()
    {
        // Broker mode on a run directory where no broker runs: the runtime has no device at all.
        string run = Directory.CreateDirectory(Path.Combine(_dir, "run")).FullName;
        using var runtime = new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, BrokerRunDirectory = run });
        byte[] body = TestData.Text(500_000, seed: 3);
        string text = Encoding.ASCII.GetString(body);
        await using WebApplication app = await StartServerAsync(runtime, a => a.MapGet("/text", () => Results.Text(text, "text/plain")));
        using HttpClient client = Client(app);

        for (int i = 0; i < 3; i++)
        {
            using HttpResponseMessage response = await GetAsync(client, "/text", "gzip");
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            byte[] gz = await response.Content.ReadAsByteArrayAsync();
            Assert.True(gz.Length < body.Length / 2, $"{gz.Length} compressed bytes for {body.Length}");
            Assert.Equal(body, await CliRunner.PipeAsync("gzip", "-d", gz));
        }

        WarpDriveGzipCompressionProvider provider = app.Services.GetRequiredService<WarpDriveGzipCompressionProvider>();
        Assert.Equal(0, provider.DeviceStreamCount);
        Assert.Equal(3, provider.FallbackStreamCount);
        await app.StopAsync();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3600)]
    public async Task WhenEveryStreamContextIsTakenTheResponseFallsBack(int retrySeconds)
    {
        // One context of one stream: a response held open on the device leaves none for the next.
        using var runtime = new WdRuntime(new WdRuntimeOptions
        {
            Mode = WdDeviceMode.Local,
            MaxContextsPerAlgorithm = 1,
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = EmbeddedQueues, WorkerCount = 1, MaxStreamsPerQueue = 1 },
        });
        byte[] body = TestData.Text(200_000, seed: 8);
        string text = Encoding.ASCII.GetString(body);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using WebApplication app = await StartServerAsync(runtime, a =>
        {
            a.MapGet("/text", () => Results.Text(text, "text/plain"));
            a.MapGet("/held", async (HttpResponse response) =>
            {
                response.ContentType = "text/plain";
                await response.Body.WriteAsync(body.AsMemory(0, 1000));
                await response.Body.FlushAsync();
                await release.Task.WaitAsync(s_timeout);
                await response.Body.WriteAsync(body.AsMemory(1000));
            });
        }, gzip =>
        {
            gzip.DeviceRetryInterval = TimeSpan.FromSeconds(retrySeconds);
            gzip.Offload = true; // zip-0's own stream contexts
            gzip.SmallResponseThreshold = 0; // the held response's first 1000 bytes take the device's only stream at once
        });
        using HttpClient client = Client(app);
        WarpDriveGzipCompressionProvider provider = app.Services.GetRequiredService<WarpDriveGzipCompressionProvider>();

        // Headers arrive with the first flush: by then the held response has the device's only stream context.
        using HttpResponseMessage held = await GetAsync(client, "/held", "gzip", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal((1, 0), (provider.DeviceStreamCount, provider.FallbackStreamCount));
        Assert.Equal(body, await GetGunzippedAsync(client));
        Assert.Equal((1, 1), (provider.DeviceStreamCount, provider.FallbackStreamCount));

        release.SetResult();
        Assert.Equal(body, await CliRunner.PipeAsync("gzip", "-d", await held.Content.ReadAsByteArrayAsync()));
        Assert.Equal(body, await GetGunzippedAsync(client));
        if (retrySeconds > 0)
        {
            // Within the retry interval the provider does not ask the runtime again.
            Assert.Equal((1, 2), (provider.DeviceStreamCount, provider.FallbackStreamCount));
        }
        else
        {
            // Asked again, the device serves (once the held response's stream is released, right after its last bytes).
            for (int i = 0; i < 50 && provider.DeviceStreamCount < 2; i++)
            {
                await Task.Delay(20);
                Assert.Equal(body, await GetGunzippedAsync(client));
            }

            Assert.Equal(2, provider.DeviceStreamCount);
        }

        await app.StopAsync();
    }

    [Fact]
    public async Task BrotliComesFromTheRuntime()
    {
        using WdRuntime runtime = LocalRuntime();
        byte[] body = TestData.Text(300_000, seed: 4);
        string text = Encoding.ASCII.GetString(body);
        await using WebApplication app = await StartServerAsync(runtime, a => a.MapGet("/text", () => Results.Text(text, "text/plain")));
        using HttpClient client = Client(app);

        using (HttpResponseMessage response = await GetAsync(client, "/text", "br"))
        {
            Assert.Equal(["br"], response.Content.Headers.ContentEncoding);
            await using var brotli = new BrotliStream(await response.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
            var restored = new MemoryStream();
            await brotli.CopyToAsync(restored);
            Assert.Equal(body, restored.ToArray());
        }

        WarpDriveGzipCompressionProvider provider = app.Services.GetRequiredService<WarpDriveGzipCompressionProvider>();
        Assert.Equal(0, provider.DeviceStreamCount + provider.FallbackStreamCount);

        // A client that takes either gets gzip: WarpDrive's provider comes first.
        using (HttpResponseMessage response = await GetAsync(client, "/text", "br, gzip"))
        {
            Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
            Assert.Equal(body, await CliRunner.PipeAsync("gzip", "-d", await response.Content.ReadAsByteArrayAsync()));
        }

        Assert.Equal(1, provider.DeviceStreamCount);
        await app.StopAsync();
    }

    /// <summary>The real browser: headless Chromium (Debian's <c>chromium</c>) asks for a page as browsers do, gets it as
    /// zstd compressed on the device, and renders it whole (a page it could not decode would be its error page, without
    /// the page's last paragraph).</summary>
    [Fact]
    public async Task ChromiumAsksForZstdAndRendersTheDevicesResponse()
    {
        string paragraphs = string.Concat(Enumerable.Range(0, 3000).Select(i => $"<p>row {i}: WarpDrive compresses this page on the ZIP device.</p>\n"));
        string page = $"<!DOCTYPE html><html><head><title>wd</title></head><body>{paragraphs}<p id=\"end\">the-last-paragraph-7f3a</p></body></html>";
        string? acceptEncoding = null, contentEncoding = null;
        using WdRuntime runtime = LocalRuntime();
        await using WebApplication app = await StartServerAsync(runtime, a => a.MapGet("/page", (HttpContext context) =>
        {
            acceptEncoding = context.Request.Headers.AcceptEncoding.ToString();
            context.Response.OnStarting(() =>
            {
                contentEncoding = context.Response.Headers.ContentEncoding.ToString(); // set by the compression middleware
                return Task.CompletedTask;
            });
            return Results.Content(page, "text/html");
        }));

        string profile = Directory.CreateDirectory(Path.Combine(_dir, "chromium")).FullName;
        var chromium = CliRunner.Run("timeout", $"90 chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir='{profile}' "
            + $"--dump-dom {app.Urls.Single()}/page");
        Assert.True(chromium.Code == 0, $"chromium exited {chromium.Code}: {chromium.Stderr}");
        Assert.Contains("zstd", acceptEncoding, StringComparison.Ordinal);
        Assert.Equal("zstd", contentEncoding);
        Assert.Contains("the-last-paragraph-7f3a", chromium.Stdout, StringComparison.Ordinal);
        Assert.Contains("row 2999: WarpDrive compresses", chromium.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, app.Services.GetRequiredService<WarpDriveZstdCompressionProvider>().DeviceStreamCount);
        await app.StopAsync();
    }

    /// <summary>Chromium's Accept-Encoding gets zstd, compressed on the device; the real <c>zstd -d</c> and curl (which
    /// decodes zstd itself) read it. Without a device the same request gets ZstdSharp's zstd.</summary>
    [Fact]
    public async Task ABrowsersAcceptEncodingGetsZstdFromTheDeviceAndCurlDecodesIt()
    {
        byte[] body = TestData.Text(500_000, seed: 31);
        string text = Encoding.ASCII.GetString(body);
        string run = Directory.CreateDirectory(Path.Combine(_dir, "run")).FullName;
        foreach (bool device in new[] { true, false })
        {
            using WdRuntime runtime = device ? LocalRuntime() : new WdRuntime(new WdRuntimeOptions { Mode = WdDeviceMode.Broker, BrokerRunDirectory = run });
            await using WebApplication app = await StartServerAsync(runtime, a => a.MapGet("/text", () => Results.Text(text, "text/plain")));
            using HttpClient client = Client(app);
            using (HttpResponseMessage response = await GetAsync(client, "/text", "gzip, deflate, br, zstd"))
            {
                Assert.Equal(["zstd"], response.Content.Headers.ContentEncoding);
                Assert.Contains("Accept-Encoding", response.Headers.Vary);
                byte[] zst = await response.Content.ReadAsByteArrayAsync();
                Assert.True(zst.Length < body.Length / 2, $"{zst.Length} compressed bytes for {body.Length}");
                Assert.Equal(body, await CliRunner.PipeAsync("zstd", "-d", zst));
            }

            string output = Path.Combine(_dir, "curl.out"), headers = Path.Combine(_dir, "curl.headers");
            var curl = CliRunner.Run("curl", $"-s -f --compressed -H 'Accept-Encoding: zstd' -D '{headers}' -o '{output}' {app.Urls.Single()}/text");
            Assert.True(curl.Code == 0, curl.Stderr);
            Assert.Contains("content-encoding: zstd", File.ReadAllText(headers), StringComparison.OrdinalIgnoreCase);
            Assert.Equal(body, File.ReadAllBytes(output));

            WarpDriveZstdCompressionProvider provider = app.Services.GetRequiredService<WarpDriveZstdCompressionProvider>();
            Assert.Equal(device ? 2 : 0, provider.DeviceStreamCount);
            Assert.Equal(device ? 0 : 2, provider.FallbackStreamCount);
            Assert.Equal(0, app.Services.GetRequiredService<WarpDriveGzipCompressionProvider>().DeviceStreamCount);
            await app.StopAsync();
        }
    }

    [Fact]
    public async Task AFlushReachesTheClientBeforeTheRestIsWritten()
    {
        using WdRuntime runtime = LocalRuntime();
        byte[] first = TestData.Text(60_000, seed: 5);
        byte[] second = TestData.Text(400_000, seed: 6);
        var clientHasFirst = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using WebApplication app = await StartServerAsync(runtime, a => a.MapGet("/stream", async (HttpResponse response) =>
        {
            response.ContentType = "text/plain";
            await response.Body.WriteAsync(first);
            await response.Body.FlushAsync();
            // The second part is written only once the client has decompressed all of the first.
            await clientHasFirst.Task.WaitAsync(s_timeout);
            await response.Body.WriteAsync(second);
        }), gzip => gzip.SmallResponseThreshold = 0); // the device's own sync flush (a small first part would go to the runtime's gzip)
        using HttpClient client = Client(app);
        using var cancel = new CancellationTokenSource(s_timeout);

        using HttpResponseMessage response = await GetAsync(client, "/stream", "gzip", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        var wire = new RecordingStream(await response.Content.ReadAsStreamAsync(cancel.Token));
        await using var gunzip = new GZipStream(wire, CompressionMode.Decompress);

        byte[] got = new byte[first.Length];
        await gunzip.ReadExactlyAsync(got, cancel.Token);
        Assert.Equal(first, got);
        clientHasFirst.SetResult();

        var rest = new MemoryStream();
        await gunzip.CopyToAsync(rest, cancel.Token);
        Assert.Equal(second, rest.ToArray());
        byte[] whole = [.. first, .. second];
        Assert.Equal(whole, await CliRunner.PipeAsync("gzip", "-d", wire.Recorded.ToArray()));

        WarpDriveGzipCompressionProvider provider = app.Services.GetRequiredService<WarpDriveGzipCompressionProvider>();
        Assert.Equal(1, provider.DeviceStreamCount);
        Assert.Equal(0, provider.FallbackStreamCount);
        await app.StopAsync();
    }

    [Fact]
    public void RegistrationPutsWarpDriveZstdThenGzipFirstAndKeepsTheOptions()
    {
        using WdRuntime runtime = LocalRuntime();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWarpDriveResponseCompression(
            options =>
            {
                options.EnableForHttps = true;
                options.Providers.Add<GzipCompressionProvider>();
            },
            gzip =>
            {
                gzip.Level = CompressionLevel.SmallestSize;
                gzip.Runtime = runtime;
            });
        using ServiceProvider provider = services.BuildServiceProvider();

        ResponseCompressionOptions options = provider.GetRequiredService<IOptions<ResponseCompressionOptions>>().Value;
        Assert.True(options.EnableForHttps);
        Assert.Equal(4, options.Providers.Count);
        Assert.Same(provider.GetRequiredService<WarpDriveZstdCompressionProvider>(), Assert.IsType<WarpDriveZstdCompressionProvider>(options.Providers[0]));
        WarpDriveGzipCompressionProvider warpDrive = Assert.IsType<WarpDriveGzipCompressionProvider>(options.Providers[1]);
        Assert.Same(provider.GetRequiredService<WarpDriveGzipCompressionProvider>(), warpDrive);
        Assert.IsType<BrotliCompressionProvider>(options.Providers[2]);
        Assert.Equal(CompressionLevel.SmallestSize, warpDrive.Level);
        Assert.Same(runtime, warpDrive.Runtime);
        Assert.Equal("gzip", warpDrive.EncodingName);
        Assert.True(warpDrive.SupportsFlush);
    }

    [Fact]
    public void AProviderListedByHandIsMadeByTheMiddleware()
    {
        // Without the extension: the middleware creates the provider itself, injecting the container's runtime.
        using WdRuntime runtime = LocalRuntime();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(runtime);
        services.AddResponseCompression(options =>
        {
            options.Providers.Add<BrotliCompressionProvider>();
            options.Providers.Add<WarpDriveGzipCompressionProvider>();
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        var context = new DefaultHttpContext { RequestServices = provider };
        context.Request.Headers.AcceptEncoding = "gzip";
        ICompressionProvider? chosen = provider.GetRequiredService<IResponseCompressionProvider>().GetCompressionProvider(context);
        WarpDriveGzipCompressionProvider warpDrive = Assert.IsType<WarpDriveGzipCompressionProvider>(chosen);
        Assert.Same(runtime, warpDrive.Runtime);
        Assert.Equal(CompressionLevel.Fastest, warpDrive.Level);
    }

    private static WdRuntime LocalRuntime() => new(new WdRuntimeOptions
    {
        Mode = WdDeviceMode.Local,
        EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = EmbeddedQueues, WorkerCount = 1 },
    });

    /// <summary>Starts Kestrel on a free port of 127.0.0.1 with WarpDrive's response compression on
    /// <paramref name="runtime"/>.</summary>
    private static async Task<WebApplication> StartServerAsync(WdRuntime runtime, Action<WebApplication> endpoints,
        Action<WarpDriveGzipCompressionProviderOptions>? gzip = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(runtime);
        builder.Services.AddWarpDriveResponseCompression(configureGzip: gzip);
        WebApplication app = builder.Build();
        app.UseResponseCompression();
        endpoints(app);
        await app.StartAsync();
        return app;
    }

    private static HttpClient Client(WebApplication app) => new(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
    {
        BaseAddress = new Uri(app.Urls.Single()),
        Timeout = s_timeout,
    };

    private static async Task<HttpResponseMessage> GetAsync(HttpClient client, string path, string acceptEncoding,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        return await client.SendAsync(request, completion);
    }

    /// <summary>GETs /text as gzip and returns it decompressed by the real gzip.</summary>
    private static async Task<byte[]> GetGunzippedAsync(HttpClient client)
    {
        using HttpResponseMessage response = await GetAsync(client, "/text", "gzip");
        Assert.Equal(["gzip"], response.Content.Headers.ContentEncoding);
        return await CliRunner.PipeAsync("gzip", "-d", await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>Reads through <paramref name="inner"/> and keeps every byte that went by.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        public MemoryStream Recorded { get; } = new();

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = inner.Read(buffer, offset, count);
            Recorded.Write(buffer, offset, n);
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await inner.ReadAsync(buffer, cancellationToken);
            Recorded.Write(buffer.Span[..n]);
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
