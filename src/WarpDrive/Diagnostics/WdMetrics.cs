using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Reflection;

namespace WarpDrive.Diagnostics;

/// <summary>libwd's meter, <c>WarpDrive</c> (System.Diagnostics.Metrics): what every algorithm library's requests do,
/// counted where their completions are reaped. Watch it with <c>dotnet-counters monitor --counters WarpDrive</c>, or
/// export it with OpenTelemetry (<c>AddMeter("WarpDrive")</c>). Instruments and tags are in docs/METRICS.md. With no
/// listener, a request pays one check of each instrument's <see cref="Instrument.Enabled"/> and nothing else.</summary>
public static class WdMetrics
{
    /// <summary>The meter's name: <c>WarpDrive</c>.</summary>
    public const string MeterName = "WarpDrive";

    /// <summary>Counter of requests that ended (completed, or failed because their queue stopped), unit
    /// <c>{request}</c>; tags <c>device</c>, <c>location</c>, <c>algorithm</c>, <c>operation</c>.</summary>
    public const string RequestsName = "warpdrive.requests";

    /// <summary>Counter of input bytes the requests took, unit <c>By</c>: the source length of an OK request, the
    /// consumed bytes of an OUT_OF_SPACE one, nothing for an error; tags as <see cref="RequestsName"/>.</summary>
    public const string BytesInName = "warpdrive.bytes.in";

    /// <summary>Counter of output bytes the requests produced (the completion's <c>produced</c>), unit <c>By</c>; tags as
    /// <see cref="RequestsName"/>.</summary>
    public const string BytesOutName = "warpdrive.bytes.out";

    /// <summary>Counter of requests that ended in an error (any status but OK and OUT_OF_SPACE), unit <c>{error}</c>;
    /// tags as <see cref="RequestsName"/> plus <c>status</c> (the <c>CompletionStatus</c> name) and, for a data error,
    /// <c>data_error</c> (the <c>DataErrorKind</c> name).</summary>
    public const string ErrorsName = "warpdrive.errors";

    /// <summary>Histogram of request durations in seconds, from publication to the SQE to the reaping of its
    /// completion; tags as <see cref="RequestsName"/>.</summary>
    public const string DurationName = "warpdrive.request.duration";

    /// <summary>Observable up-down counter of requests published and not yet reaped, per device, unit
    /// <c>{request}</c>; tags <c>device</c>, <c>location</c>.</summary>
    public const string InFlightName = "warpdrive.queue.in_flight";

    /// <summary>Counter of completions found late, unit <c>{request}</c>; tags <c>device</c>, <c>location</c>: a thread
    /// that slept announced on a queue (a poller, a synchronous caller) found completions there that no wake-up
    /// announced, only its bounded sleep's end. Each is a lost wake-up that the timeout rescued, so it stays 0; the
    /// stress tests assert that it does (docs/ARCHITECTURE.md, "Sleeping and waking").</summary>
    public const string LateReapsName = "warpdrive.late_reaps";

    /// <summary>Counter of requests that a kernel device's driver ran in software because its hardware lacks them (an
    /// algorithm, mode, key or length the engine does not take: docs/HARDWARE.md), unit <c>{request}</c>; tags
    /// <c>device</c> and <c>location</c> (the kernel device the request was sent to), <c>algorithm</c>,
    /// <c>operation</c>. Such a request is also counted by <see cref="RequestsName"/> under that device.</summary>
    public const string FallbacksName = "warpdrive.fallbacks";

    /// <summary>Tag: the device's name (<c>zip-0</c>, <c>sec-0</c>, ...).</summary>
    public const string DeviceTag = "device";

    /// <summary>Tag: where the device is: <c>in-process</c>, <c>broker</c>, <c>kernel</c> or <c>inline</c>.</summary>
    public const string LocationTag = "location";

    /// <summary>Tag: the request's algorithm (<c>gzip</c>, <c>sha256</c>, <c>hmac-sha256</c>, <c>aes-gcm</c>,
    /// <c>rsa</c>, <c>p256</c>, ...).</summary>
    public const string AlgorithmTag = "algorithm";

    /// <summary>Tag: the request's operation (<c>compress</c>, <c>decompress</c>, <c>encrypt</c>, <c>decrypt</c>,
    /// <c>digest</c>, <c>sign</c>, <c>verify</c>, ...).</summary>
    public const string OperationTag = "operation";

    /// <summary>Tag of <see cref="ErrorsName"/>: the completion status (<c>DataError</c>, <c>AuthFailed</c>, ...).</summary>
    public const string StatusTag = "status";

    /// <summary>Tag of <see cref="ErrorsName"/> for a data error: what was wrong with the data (<c>Truncated</c>,
    /// <c>InvalidHeader</c>, <c>ChecksumMismatch</c>, ...).</summary>
    public const string DataErrorTag = "data_error";

    // Request durations run from about a microsecond (a no-op) to seconds (RSA key generation): the exporters' default
    // buckets (0-10000, made for milliseconds) would put them all in the first one.
    private static readonly double[] s_durationBuckets =
    [
        1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
        2.5, 5, 10,
    ];

    internal static readonly Meter Meter = new(MeterName, typeof(WdMetrics).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion);

    internal static readonly Counter<long> Requests = Meter.CreateCounter<long>(RequestsName, "{request}",
        "Requests that ended: completed by their device, or failed because their queue stopped.");

    internal static readonly Counter<long> BytesIn = Meter.CreateCounter<long>(BytesInName, "By",
        "Input bytes the requests took.");

    internal static readonly Counter<long> BytesOut = Meter.CreateCounter<long>(BytesOutName, "By",
        "Output bytes the requests produced.");

    internal static readonly Counter<long> Errors = Meter.CreateCounter<long>(ErrorsName, "{error}",
        "Requests that ended in an error, by status.");

    internal static readonly Histogram<double> Duration = Meter.CreateHistogram(DurationName, "s",
        "Time from a request's submission to the reaping of its completion.", tags: null,
        new InstrumentAdvice<double> { HistogramBucketBoundaries = s_durationBuckets });

    internal static readonly ObservableUpDownCounter<int> InFlight = Meter.CreateObservableUpDownCounter(InFlightName,
        InFlightContexts.Observe, "{request}", "Requests published to a device's queues and not yet reaped.");

    internal static readonly Counter<long> LateReaps = Meter.CreateCounter<long>(LateReapsName, "{request}",
        "Completions found after a bounded sleep that no wake-up announced (lost wake-ups; should stay 0).");

    internal static readonly Counter<long> Fallbacks = Meter.CreateCounter<long>(FallbacksName, "{request}",
        "Requests a kernel device's driver ran in software because its hardware lacks them.");

    /// <summary>Counts a request of <paramref name="sqe"/>'s kind that the driver of <paramref name="device"/> ran in
    /// software.</summary>
    internal static void CountFallback(WdDeviceInfo device, in Abi.Sqe sqe)
    {
        if (Fallbacks.Enabled)
        {
            Fallbacks.Add(1, new TagList
            {
                { DeviceTag, device.Name },
                { LocationTag, device.Location },
                { AlgorithmTag, RequestNames.Algorithm(sqe.Opcode, sqe.Algorithm, sqe.Mode) },
                { OperationTag, RequestNames.Operation(sqe.Opcode) },
            });
        }
    }

    /// <summary>Counts <paramref name="count"/> late completions on <paramref name="device"/> (a rare path: it may allocate).</summary>
    internal static void CountLateReaps(WdDeviceInfo device, int count)
    {
        if (LateReaps.Enabled)
        {
            LateReaps.Add(count, new KeyValuePair<string, object?>(DeviceTag, device.Name), new KeyValuePair<string, object?>(LocationTag, device.Location));
        }
    }

    /// <summary>Whether any instrument that a completion feeds has a listener.</summary>
    internal static bool AnyRequestInstrumentEnabled =>
        Requests.Enabled || BytesIn.Enabled || BytesOut.Enabled || Errors.Enabled || Duration.Enabled;
}
