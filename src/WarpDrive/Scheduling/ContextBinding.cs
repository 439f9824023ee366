using WarpDrive.Queues;

namespace WarpDrive.Scheduling;

/// <summary>A session's tie to its library's scheduler: which device it runs on (and the next one when that device
/// stops serving), where each request goes by mode, operation and size (Mix mode), and the one context a stream-mode
/// session is bound to (its device stream context lives in that queue).</summary>
internal sealed class ContextBinding
{
    private const int MaxFailovers = 8;

    private readonly LibraryScheduler _scheduler;
    private readonly string _algorithm;
    private readonly int _sessionIndex;
    private readonly int _inlineThreshold;
    private readonly bool _syncInlineOnInProcessDevice;
    private DevicePool _pool;

    /// <param name="inlineOnInProcessDevice">Stream mode: bind to the inline device rather than an in-process one.</param>
    public ContextBinding(LibraryScheduler scheduler, string algorithm, bool stream, int operation, bool inlineOnInProcessDevice = false)
    {
        _scheduler = scheduler;
        _algorithm = algorithm;
        _sessionIndex = scheduler.NextSessionIndex();
        _inlineThreshold = scheduler.InlineThreshold;
        _syncInlineOnInProcessDevice = scheduler.SyncInlineOnInProcessDevice;
        _pool = scheduler.PoolFor(algorithm, _sessionIndex);
        if (stream)
        {
            // A stream lives on the device: one context for all of the session's requests, whatever their mode.
            bool inline = _inlineThreshold == int.MaxValue || (inlineOnInProcessDevice && _pool.SharesCallerCpu);
            DevicePool pool = inline ? scheduler.InlinePool(algorithm) : _pool;
            WdContext[] contexts = pool.Route(async: false, operation).Contexts;
            int start = (int)((uint)_sessionIndex % (uint)contexts.Length);
            for (int i = 0; i < contexts.Length && StreamContext is null; i++)
            {
                WdContext candidate = contexts[(start + i) % contexts.Length];
                if (candidate.TryAllocateStreamId(out int id))
                {
                    StreamContext = candidate;
                    StreamId = id;
                    StreamPool = pool;
                }
            }

            if (StreamContext is null)
            {
                throw new WdException($"no free stream context: {contexts.Length} queue(s) x max_streams {contexts[0].Queue.MaxStreams} are in use by open stream sessions");
            }
        }
    }

    /// <summary>The context a stream-mode session is bound to, or null.</summary>
    public WdContext? StreamContext { get; }

    /// <summary>The pool of <see cref="StreamContext"/>.</summary>
    public DevicePool? StreamPool { get; }

    /// <summary>The device stream context id, or -1.</summary>
    public int StreamId { get; } = -1;

    /// <summary>The device the session's offloaded requests go to now.</summary>
    public WdDeviceInfo Device => StreamContext?.Queue.Device ?? _pool.Device;

    /// <summary>The library's scheduler.</summary>
    public LibraryScheduler Scheduler => _scheduler;

    /// <summary>The context for a request of <paramref name="async"/> mode, <paramref name="operation"/> (index in the
    /// library's operations, -1 for none) and <paramref name="length"/> input bytes, and its pool (where the session's
    /// key must be). A device that stopped serving is retired here and the request goes to the next device.</summary>
    /// <exception cref="WdException">The device stopped serving and no other device offers the algorithm.</exception>
    public WdContext Pick(bool async, int operation, int length, out DevicePool pool)
    {
        if (StreamContext is { } stream)
        {
            pool = StreamPool!;
            return stream;
        }

        if (length < _inlineThreshold || (!async && _syncInlineOnInProcessDevice && _pool.SharesCallerCpu))
        {
            pool = _scheduler.InlinePool(_algorithm);
            return pool.InlineContext();
        }

        SchedulingPolicy policy = _scheduler.Options.Policy;
        for (int attempt = 0; ; attempt++)
        {
            DevicePool current = _pool;
            WdContext context = current.Route(async, operation).Pick(policy, _sessionIndex);
            if ((context.IsUsable && !current.Failed) || attempt == MaxFailovers)
            {
                pool = current;
                return context; // a last unusable one fails at submission with the queue's own reason
            }

            // Fail over: the device is isolated, its broker is gone, or the queue was disabled. The pool's contexts stay
            // open until the library closes (their in-flight requests fail through the pollers).
            current.MarkFailed();
            try
            {
                _pool = _scheduler.PoolFor(_algorithm, _sessionIndex);
            }
            catch (WdDeviceNotFoundException e)
            {
                throw new WdException($"{context.Queue.Device.Name} no longer serves requests ({ThrowHelper.DescribeQueue(context.Queue.State, context.Queue.DisableReason)}) and no other device offers '{_algorithm}': {e.Message}");
            }
        }
    }

    /// <summary>Completes finished async requests of the library without blocking.</summary>
    public int Poll(int max) => _scheduler.Poll(max);
}
