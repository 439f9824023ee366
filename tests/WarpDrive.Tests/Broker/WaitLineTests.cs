using WarpDrive.Broker;

namespace WarpDrive.Tests.Broker;

/// <summary>The device's line of START_Q callers (<see cref="WaitLine{T}"/>) without a broker: first come, first
/// served, a waiter that may not take a queue yet keeps its place, and leaving the line is cancellation.</summary>
public sealed class WaitLineTests
{
    private sealed class Waiter(string name)
    {
        public string Name { get; } = name;

        public override string ToString() => Name;
    }

    private static (WaitLine<Waiter> Line, Waiter[] Waiters) Line(params string[] names)
    {
        var line = new WaitLine<Waiter>();
        Waiter[] waiters = [.. names.Select(n => new Waiter(n))];
        foreach (Waiter w in waiters)
        {
            line.Join(w);
        }

        return (line, waiters);
    }

    private static string Names(WaitLine<Waiter> line) => string.Join(",", line.ToArray().Select(w => w.Name));

    [Fact]
    public void QueuesGoToTheWaitersInTheOrderTheyJoined()
    {
        (WaitLine<Waiter> line, _) = Line("a", "b", "c");
        var served = new List<string>();

        for (int i = 0; i < 3; i++)
        {
            line.Serve(w => { served.Add(w.Name); return WaiterVerdict.Served; });
        }

        Assert.Equal(["a", "b", "c"], served);
        Assert.Equal(0, line.Count);
    }

    [Fact]
    public void AWaiterThatMayNotTakeAQueueKeepsItsPlaceAndTheNextOneIsServed()
    {
        (WaitLine<Waiter> line, Waiter[] w) = Line("a", "b", "c");
        var asked = new List<string>();

        line.Serve(x => { asked.Add(x.Name); return x == w[0] ? WaiterVerdict.Skip : WaiterVerdict.Served; });

        Assert.Equal(["a", "b"], asked); // c was not asked: b took the queue
        Assert.Equal("a,c", Names(line));
        Assert.True(line.Contains(w[0]));
        Assert.False(line.Contains(w[1]));
    }

    [Fact]
    public void StopLeavesEveryoneInPlace()
    {
        (WaitLine<Waiter> line, _) = Line("a", "b");
        int asked = 0;

        line.Serve(_ => { asked++; return WaiterVerdict.Stop; });

        Assert.Equal(1, asked);
        Assert.Equal("a,b", Names(line));
    }

    [Fact]
    public void WaitersThatLeaveDuringAHandOverAreDroppedAndTheNextOneIsAsked()
    {
        (WaitLine<Waiter> line, Waiter[] w) = Line("a", "b", "c", "d");

        line.Serve(x => x == w[0] || x == w[1] ? WaiterVerdict.Leave : WaiterVerdict.Served);

        Assert.Equal("d", Names(line));
    }

    [Fact]
    public void AVisitMayTakeItsWaiterOutItself()
    {
        // The broker closes a waiter whose hand-over failed; closing takes it out of the line, then it says Leave.
        (WaitLine<Waiter> line, Waiter[] w) = Line("a", "b", "c");
        var asked = new List<string>();

        line.Serve(x =>
        {
            asked.Add(x.Name);
            if (x == w[0])
            {
                Assert.True(line.Leave(x));
                return WaiterVerdict.Leave;
            }

            return WaiterVerdict.Served;
        });

        Assert.Equal(["a", "b"], asked);
        Assert.Equal("c", Names(line));
    }

    [Fact]
    public void AVisitThatTakesOutTheNextWaiterTooGoesOnFromTheFront()
    {
        (WaitLine<Waiter> line, Waiter[] w) = Line("a", "b", "c", "d");
        var asked = new List<string>();

        line.Serve(x =>
        {
            asked.Add(x.Name);
            if (x == w[1])
            {
                line.Leave(w[1]);
                line.Leave(w[2]);
                return WaiterVerdict.Leave;
            }

            return x == w[0] ? WaiterVerdict.Skip : WaiterVerdict.Served;
        });

        Assert.Equal(["a", "b", "a", "d"], asked);
        Assert.Equal("a", Names(line));
    }

    [Fact]
    public void LeavingTheLineCancelsTheWaitWhereverTheWaiterStands()
    {
        (WaitLine<Waiter> line, Waiter[] w) = Line("a", "b", "c");

        Assert.True(line.Leave(w[1]));
        Assert.False(line.Leave(w[1]));
        Assert.False(line.Contains(w[1]));
        Assert.Equal("a,c", Names(line));

        var served = new List<string>();
        line.Serve(x => { served.Add(x.Name); return WaiterVerdict.Served; });
        line.Serve(x => { served.Add(x.Name); return WaiterVerdict.Served; });
        Assert.Equal(["a", "c"], served);

        // A cancelled waiter may join again: at the end.
        line.Join(w[1]);
        line.Join(w[0]);
        Assert.Equal("b,a", Names(line));
    }

    [Fact]
    public void AWaiterCannotJoinTwice()
    {
        (WaitLine<Waiter> line, Waiter[] w) = Line("a");
        Assert.Throws<InvalidOperationException>(() => line.Join(w[0]));
        Assert.Equal(1, line.Count);
    }

    [Fact]
    public void DrainEmptiesTheLineInOrderTakingEachWaiterOutFirst()
    {
        (WaitLine<Waiter> line, _) = Line("a", "b", "c");
        var told = new List<string>();

        line.Drain(x =>
        {
            Assert.False(line.Contains(x));
            told.Add(x.Name);
        });

        Assert.Equal(["a", "b", "c"], told);
        Assert.Equal(0, line.Count);
    }
}
