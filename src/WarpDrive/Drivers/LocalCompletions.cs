using WarpDrive.Abi;

namespace WarpDrive.Drivers;

/// <summary>The completions a hisi_qm driver answers itself, without its engine (a request the engine cannot take,
/// one run in software): staged when answered, reapable once the doorbell that follows them rang (as a request the
/// engine runs would be), and forgotten when that doorbell is refused (the caller takes those requests back).</summary>
/// <remarks>The submitter stages and releases; the reaper takes (under the lock of the ready queue).</remarks>
internal sealed class LocalCompletions
{
    private readonly Queue<Cqe> _ready = new();
    private readonly List<Cqe> _staged = [];
    private int _readyCount;

    /// <summary>Whether a completion is ready to reap.</summary>
    public bool Any => Volatile.Read(ref _readyCount) > 0;

    /// <summary>Answers a request here; reapable after the next <see cref="Release"/>.</summary>
    public void Stage(in Cqe cqe) => _staged.Add(cqe);

    /// <summary>The doorbell rang: what was staged is reapable now.</summary>
    public void Release()
    {
        if (_staged.Count == 0)
        {
            return;
        }

        lock (_ready)
        {
            foreach (Cqe cqe in _staged)
            {
                _ready.Enqueue(cqe);
            }

            _readyCount += _staged.Count;
        }

        _staged.Clear();
    }

    /// <summary>The doorbell was refused: forget what was staged since the last one.</summary>
    public void Discard() => _staged.Clear();

    /// <summary>Takes the next ready completion.</summary>
    public bool TryTake(out Cqe cqe)
    {
        cqe = default;
        if (!Any)
        {
            return false;
        }

        lock (_ready)
        {
            if (!_ready.TryDequeue(out cqe))
            {
                return false;
            }

            _readyCount--;
            return true;
        }
    }
}
