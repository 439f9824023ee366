using WarpDrive.Abi;

namespace WarpDrive.Compression;

/// <summary>A session's <see cref="CompressionSessionOptions.MaxOutputLength"/>: how much of each destination a
/// request may fill, the one-byte probe that tells output ending right at the limit from output passing it, and (in
/// stream mode) the count of the current stream's output. A result that passed the limit becomes a data error
/// (<see cref="DataErrorKind.OutputLimitExceeded"/>) and the session abandons its stream.</summary>
/// <remarks>A request runs as: <see cref="Room"/>; the request over that much of the destination, unless
/// <see cref="NothingYet"/>; then, when <see cref="NeedsProbe"/>, a request with a one-byte destination over the input
/// left, merged by <see cref="AfterProbe"/>, else <see cref="Count"/>. <see cref="Run"/> does all of it for a
/// synchronous request; an asynchronous one spells the same steps out around its awaits.</remarks>
internal sealed class OutputLimit(long max, bool stream)
{
    private long _streamOutput;

    /// <summary>A synchronous request as <see cref="Run"/> sends it.</summary>
    public interface IRequest
    {
        /// <summary>The request with its destination cut to <paramref name="room"/> bytes.</summary>
        CompressionResult Run(int room);

        /// <summary>The probe: the input after <paramref name="consumed"/> bytes, a one-byte destination.</summary>
        CompressionResult Probe(int consumed);
    }

    /// <summary>Runs <paramref name="request"/> (destination <paramref name="length"/> bytes) under the limit.</summary>
    public CompressionResult Run<T>(ref T request, int length, bool streamActive)
        where T : IRequest, allows ref struct
    {
        int room = Room(length, streamActive, out bool clamped);
        CompressionResult r = room == 0 && clamped ? NothingYet : request.Run(room);
        return NeedsProbe(r, clamped, room) ? AfterProbe(r, request.Probe(r.Consumed)) : Count(r, clamped);
    }

    /// <summary>A request not sent because the limit leaves no room: the probe decides.</summary>
    public static CompressionResult NothingYet => new(CompletionStatus.OutOfSpace, 0, 0, 0, false, DataErrorKind.None);

    /// <summary>Whether <paramref name="r"/> is a result this limit turned into an error.</summary>
    public static bool Exceeded(in CompressionResult r) => r.DataError == DataErrorKind.OutputLimitExceeded;

    /// <summary>How much of a destination of <paramref name="length"/> bytes the next request may fill;
    /// <paramref name="clamped"/> when the limit, not the destination, bounds it. <paramref name="streamActive"/>: the
    /// request continues a stream (else a new stream's count starts).</summary>
    public int Room(int length, bool streamActive, out bool clamped)
    {
        if (stream && !streamActive)
        {
            _streamOutput = 0;
        }

        long left = max - (stream ? _streamOutput : 0);
        clamped = length > left;
        return clamped ? (int)left : length;
    }

    /// <summary>The output filled all the room the limit left: one more byte would tell whether there is more. Block
    /// mode needs no probe once a request ran: the device tells a full output from the end of the data itself.</summary>
    public bool NeedsProbe(in CompressionResult r, bool clamped, int room) =>
        clamped && r.Status == CompletionStatus.OutOfSpace && (stream || room == 0);

    /// <summary>Counts a request's output against the limit; OUT_OF_SPACE where the limit bounded the destination is
    /// the limit passed.</summary>
    public CompressionResult Count(in CompressionResult r, bool clamped)
    {
        if (clamped && r.Status == CompletionStatus.OutOfSpace)
        {
            return Exceed(r);
        }

        _streamOutput += r.Produced;
        return r;
    }

    /// <summary>Merges the probe into the request before it: any output, or still no room, is the limit passed;
    /// otherwise the data ended or needs more input right at the limit.</summary>
    public CompressionResult AfterProbe(in CompressionResult r, in CompressionResult probe)
    {
        if (probe.Produced > 0 || probe.Status == CompletionStatus.OutOfSpace)
        {
            return Exceed(r);
        }

        return Count(probe with { Consumed = r.Consumed + probe.Consumed, Produced = r.Produced }, clamped: false);
    }

    private static CompressionResult Exceed(in CompressionResult r) =>
        r with { Status = CompletionStatus.DataError, DataError = DataErrorKind.OutputLimitExceeded, EndOfStream = false };
}
