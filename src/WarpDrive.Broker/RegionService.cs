using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Devices;
using WarpDrive.Platform;

namespace WarpDrive.Broker;

/// <summary>Regions and domains: MEM_ALLOC makes a shared region (charged at once, made and prefaulted on a worker),
/// MEM_MAP enters it in the process's <see cref="Domain"/>, MEM_FREE takes it out and, once no engine can hold a
/// pointer into it (a grace period), has a worker unmap it, uncharges it and replies. A process's last connection
/// frees every region it has left. Nothing here waits on the loop: the loop calls <see cref="CompleteFrees"/> and
/// <see cref="CompleteWorkerTasks"/> each round.</summary>
internal sealed class RegionService(BrokerAccounting accounting, IClientLink link)
{
    private readonly List<PendingFree> _frees = [];
    private readonly List<PendingAlloc> _allocs = [];
    private readonly List<PendingUnmap> _unmaps = [];

    /// <summary>Work in flight: the loop polls every millisecond while there is.</summary>
    public bool HasPending => _frees.Count > 0 || _allocs.Count > 0 || _unmaps.Count > 0;

    /// <summary>MEM_ALLOC of <paramref name="length"/> bytes.</summary>
    public void Alloc(ClientConnection c, ulong length)
    {
        UserAccount user = c.Process.User;
        if (accounting.RegionRefusal(user, length, out long size) is { } refusal)
        {
            link.Reply(c, new BrokerResponse { Op = BrokerOp.MemAlloc, Status = refusal.Status }, refusal.Message);
            return;
        }

        // Charged now, made on a worker: prefaulting a large region takes long enough to stall every other client.
        BrokerAccounting.ChargeRegion(user, size);
        string name = $"wd-share-{c.Process.Pid}";
        _allocs.Add(new PendingAlloc(c, size, Task.Run(() => SharedMemoryRegion.Create(name, size))));
    }

    /// <summary>MEM_MAP: enters region <paramref name="handle"/> in the process's domain at the client's
    /// <paramref name="address"/>.</summary>
    public void Map(ClientConnection c, ulong handle, ulong address)
    {
        var response = new BrokerResponse { Op = BrokerOp.MemMap };
        if (!c.Process.Regions.TryGetValue(handle, out SharedRegion? region) || region.DomainHandle != 0)
        {
            link.Reply(c, response with { Status = BrokerStatus.BadHandle }, $"no unmapped region {handle} in this process's domain");
            return;
        }

        if (address == 0 || (address & (RingLayout.PageSize - 1)) != 0 || address + (ulong)region.Length < address)
        {
            link.Reply(c, response with { Status = BrokerStatus.BadAddress }, "the address must be page-aligned, non-null and not wrap");
            return;
        }

        region.DomainHandle = c.Process.Domain.Share(address, region.Length, region.Memory.Address);
        region.ClientAddress = address;
        link.Reply(c, response);
    }

    /// <summary>MEM_FREE of region <paramref name="handle"/>: the reply says no engine uses the region any more.</summary>
    public void Free(ClientConnection c, ulong handle)
    {
        if (!c.Process.Regions.Remove(handle, out SharedRegion? region))
        {
            link.Reply(c, new BrokerResponse { Op = BrokerOp.MemFree, Status = BrokerStatus.BadHandle }, $"no region {handle} in this process's domain");
            return;
        }

        FreeRegion(c.Process, region, replyTo: c);
    }

    /// <summary>Frees every region of a process whose last connection is gone (its domain goes with it).</summary>
    public void FreeAll(ClientProcess process)
    {
        foreach (SharedRegion region in process.Regions.Values)
        {
            FreeRegion(process, region, replyTo: null);
        }

        process.Regions.Clear();
    }

    /// <summary>Finishes the frees whose grace period is over: a worker unmaps them.</summary>
    public void CompleteFrees()
    {
        for (int i = 0; i < _frees.Count; i++)
        {
            PendingFree f = _frees[i];
            if (f.Grace is { } grace && !grace.TryComplete())
            {
                continue;
            }

            _frees.RemoveAt(i--);
            Unmap(f.Region.Memory, f.User, f.ReplyTo); // no engine holds a pointer into it any more
        }
    }

    /// <summary>Finishes region allocations and unmaps done on workers.</summary>
    public void CompleteWorkerTasks()
    {
        for (int i = 0; i < _allocs.Count; i++)
        {
            if (_allocs[i].Region.IsCompleted)
            {
                PendingAlloc a = _allocs[i];
                _allocs.RemoveAt(i--);
                CompleteAlloc(a);
            }
        }

        for (int i = 0; i < _unmaps.Count; i++)
        {
            if (_unmaps[i].Done.IsCompleted)
            {
                PendingUnmap u = _unmaps[i];
                _unmaps.RemoveAt(i--);
                accounting.UnchargeRegion(u.User, u.Length);
                if (u.ReplyTo is { Closed: false } c)
                {
                    link.TryReply(c, new BrokerResponse { Op = BrokerOp.MemFree });
                }
            }
        }
    }

    /// <summary>Takes a region out of its domain; once no engine can hold a pointer into it (a grace period),
    /// <see cref="CompleteFrees"/> unmaps it, returns the accounting and replies.</summary>
    private void FreeRegion(ClientProcess process, SharedRegion region, ClientConnection? replyTo)
    {
        GracePeriod? grace = region.DomainHandle != 0 ? process.Domain.BeginUnshare(region.DomainHandle) : null; // never mapped: nothing to wait for
        _frees.Add(new PendingFree(region, process.User, grace, replyTo));
    }

    /// <summary>Hands a region made on a worker to the client that asked for it.</summary>
    private void CompleteAlloc(PendingAlloc a)
    {
        ClientConnection c = a.Connection;
        if (a.Region.Exception is { } failure)
        {
            accounting.UnchargeRegion(c.Process.User, a.Size);
            if (!c.Closed)
            {
                link.TryReply(c, new BrokerResponse { Op = BrokerOp.MemAlloc, Status = BrokerStatus.Internal },
                    $"cannot make a {a.Size}-byte region: {failure.GetBaseException().Message}");
            }

            return;
        }

        SharedMemoryRegion memory = a.Region.Result;
        if (c.Closed)
        {
            Unmap(memory, c.Process.User, replyTo: null);
            return;
        }

        var region = new SharedRegion(c.Process.NextRegionHandle(), memory);
        c.Process.Regions.Add(region.Handle, region);
        link.TryReply(c, new BrokerResponse { Op = BrokerOp.MemAlloc, Value0 = region.Handle, Value1 = (ulong)a.Size }, null, memory.Handle);
        memory.CloseHandle();
    }

    /// <summary>Unmaps a region on a worker (a large munmap takes long enough to stall the loop); once it is gone,
    /// uncharges it and answers MEM_FREE, so that a client that has the answer can allocate the bytes again.</summary>
    private void Unmap(SharedMemoryRegion memory, UserAccount user, ClientConnection? replyTo) =>
        _unmaps.Add(new PendingUnmap(memory.Length, user, Task.Run(memory.Dispose), replyTo));
}
