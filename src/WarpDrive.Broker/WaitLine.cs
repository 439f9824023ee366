namespace WarpDrive.Broker;

/// <summary>What <see cref="WaitLine{T}.Serve"/> does with the waiter it offered a free queue to.</summary>
internal enum WaiterVerdict
{
    /// <summary>It may not take the queue now: it keeps its place and the next waiter is asked.</summary>
    Skip,

    /// <summary>It leaves the line (gone, or refused for good) and the next waiter is asked.</summary>
    Leave,

    /// <summary>It took the queue and leaves the line; nobody else is asked.</summary>
    Served,

    /// <summary>Nothing is left to hand out: everyone keeps their place.</summary>
    Stop,
}

/// <summary>A device's line of START_Q callers waiting (<c>WAIT</c>) for a free queue: first come, first served,
/// where a waiter that may not take a queue yet keeps its place. Pure: the caller decides who may take a queue.</summary>
/// <remarks>Cancellation is <see cref="Leave"/> (a closed connection leaves the line). A visit of
/// <see cref="Serve"/> may take the waiter it is asked about out of the line itself (closing its connection does).</remarks>
internal sealed class WaitLine<T> where T : class
{
    private readonly LinkedList<T> _order = new();
    private readonly Dictionary<T, LinkedListNode<T>> _nodes = new(ReferenceEqualityComparer.Instance);

    public int Count => _order.Count;

    /// <summary>Whether <paramref name="waiter"/> is in the line.</summary>
    public bool Contains(T waiter) => _nodes.ContainsKey(waiter);

    /// <summary>The waiters, first first (diagnostics, tests).</summary>
    public T[] ToArray() => [.. _order];

    /// <summary>Puts <paramref name="waiter"/> at the end of the line.</summary>
    /// <exception cref="InvalidOperationException">It is in the line already.</exception>
    public void Join(T waiter)
    {
        if (_nodes.ContainsKey(waiter))
        {
            throw new InvalidOperationException("already waiting");
        }

        _nodes.Add(waiter, _order.AddLast(waiter));
    }

    /// <summary>Takes <paramref name="waiter"/> out of the line wherever it stands; false when it is not in it.</summary>
    public bool Leave(T waiter)
    {
        if (!_nodes.Remove(waiter, out LinkedListNode<T>? node))
        {
            return false;
        }

        _order.Remove(node);
        return true;
    }

    /// <summary>Offers a free queue to the waiters in order until one takes it (<see cref="WaiterVerdict.Served"/>)
    /// or <paramref name="visit"/> says there is none left (<see cref="WaiterVerdict.Stop"/>).</summary>
    public void Serve(Func<T, WaiterVerdict> visit)
    {
        LinkedListNode<T>? node = _order.First;
        while (node is not null)
        {
            LinkedListNode<T>? after = node.Next;
            WaiterVerdict verdict = visit(node.Value);
            if (node.List is not null)
            {
                after = node.Next; // the visit may have changed the line behind this waiter
            }

            if (verdict is WaiterVerdict.Leave or WaiterVerdict.Served)
            {
                Leave(node.Value); // no-op when the visit took it out already
            }

            if (verdict is WaiterVerdict.Served or WaiterVerdict.Stop)
            {
                return;
            }

            // The visit took out this waiter and the next one: ask again from the front (skips are repeatable).
            node = after is { List: null } ? _order.First : after;
        }
    }

    /// <summary>Empties the line in order, taking each waiter out before <paramref name="each"/> is called for it
    /// (a device that will never have a queue again tells them so).</summary>
    public void Drain(Action<T> each)
    {
        while (_order.First is { } node)
        {
            Leave(node.Value);
            each(node.Value);
        }
    }
}
