using System.Diagnostics.Tracing;

namespace WarpDrive.Benchmarks;

/// <summary>Asks the runtime's <c>System.Diagnostics.Metrics</c> event source to aggregate the <c>WarpDrive</c> meter,
/// exactly as <c>dotnet-counters monitor --counters WarpDrive</c> does from outside the process (same arguments, same
/// in-process aggregation: rates, last values, histogram percentiles), so that its cost per request can be measured
/// here without a second process.</summary>
internal sealed class CountersSessionListener : EventListener
{
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "System.Diagnostics.Metrics")
        {
            EnableEvents(eventSource, EventLevel.Informational, (EventKeywords)0x7, new Dictionary<string, string?>
            {
                ["SessionId"] = "wd-bench",
                ["Metrics"] = "WarpDrive",
                ["RefreshInterval"] = "1",
                ["MaxTimeSeries"] = "1000",
                ["MaxHistograms"] = "10",
            });
        }
    }
}
