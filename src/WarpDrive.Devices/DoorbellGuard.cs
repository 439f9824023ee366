using System.Diagnostics;

namespace WarpDrive.Devices;

/// <summary>An engine's view of one queue's doorbell: a client that rings it again and again with nothing published
/// (a doorbell storm) is not listened to for a while, so that the storm costs the client its syscalls rather than the
/// engine a wake-up and a scan of its queues each time. Engine-owned; reset when the queue is started.</summary>
/// <remarks>A client that follows the protocol publishes before it rings, so a wake-up from its doorbell always finds
/// work; <see cref="Strikes"/> wake-ups in a row that find none mute the doorbell for 1 ms, doubling up to 64 ms while
/// the storm goes on. The queue is still served: the engine looks at it when the mute ends, and any work found there
/// forgives it at once. Only the storming queue waits longer; the engine's other queues are listened to as before.</remarks>
internal struct DoorbellGuard
{
    /// <summary>Wake-ups without work, in a row, before the doorbell is muted.</summary>
    public const int Strikes = 16;

    private static readonly long s_firstMute = Stopwatch.Frequency / 1000;
    private static readonly long s_longestMute = Stopwatch.Frequency * 64 / 1000;

    private int _strikes;
    private long _mute;

    /// <summary>The doorbell's value when the engine went to sleep listening to it.</summary>
    public uint Snapshot { get; private set; }

    /// <summary>Whether the engine listened to the doorbell in its last sleep.</summary>
    public bool Listened { get; set; }

    /// <summary>Stopwatch timestamp until which the doorbell is not listened to.</summary>
    public long MutedUntil { get; private set; }

    public void Listen(uint snapshot)
    {
        Snapshot = snapshot;
        Listened = true;
    }

    /// <summary>The doorbell changed during a sleep and the queue had no work.</summary>
    public void Strike(long now)
    {
        if (++_strikes < Strikes)
        {
            return;
        }

        // Muted again at the first strike after a mute, for twice as long, until the queue shows work.
        _strikes = Strikes - 1;
        _mute = _mute == 0 ? s_firstMute : Math.Min(_mute * 2, s_longestMute);
        MutedUntil = now + _mute;
    }

    /// <summary>The queue had work: its doorbell is honest again.</summary>
    public void Forgive()
    {
        if (_strikes != 0 || _mute != 0)
        {
            this = default;
        }
    }
}
