using System.Diagnostics.CodeAnalysis;
using Microsoft.Win32.SafeHandles;
using WarpDrive.Abi;
using WarpDrive.Abi.Broker;
using WarpDrive.Platform;

namespace WarpDrive.Discovery;

/// <summary>The broker's devices (<c>wdd</c>): found in its attribute tree <c>&lt;run&gt;/class/uacce</c>, opened by
/// connecting to <c>&lt;run&gt;/dev/&lt;name&gt;</c>. One connection holds one queue; one more, opened on first use,
/// holds this process's shared regions (the domain outlives any one queue).</summary>
internal sealed class BrokerDevices(string runDirectory) : IDeviceProvider
{
    public const string BrokerLocation = "broker";

    private readonly Lock _lock = new();
    private BrokerConnection? _memory;
    private BrokerWatch? _watch;
    private readonly List<BrokerWatch> _oldWatches = [];
    private int _ptracer;

    public string RunDirectory { get; } = runDirectory;

    public string Location => BrokerLocation;

    public IReadOnlyList<WdDeviceInfo> GetDevices() =>
        !BrokerIsRunning() ? [] : UacceAttributeReader.ReadAll(Platform.RunDirectory.ClassDirectory(RunDirectory))
            .Where(d => File.Exists(Platform.RunDirectory.DeviceSocket(RunDirectory, d.Name)))
            .Select(d => new WdDeviceInfo(d.Name, BrokerLocation, d.Attributes))
            .ToArray();

    /// <summary>Whether the broker that wrote <c>wdd.pid</c> still runs: one killed with SIGKILL leaves its tree and
    /// sockets behind, and its devices must not be listed as usable.</summary>
    /// <remarks>A broker in another pid namespace (this process runs in a container, the broker on the node) has a pid
    /// that means nothing here: then its sockets decide (a killed broker's refuse the connection with a clear error).</remarks>
    private bool BrokerIsRunning() => BrokerPid() is int pid && (BrokerInOtherPidNamespace() || Directory.Exists($"/proc/{pid}"));

    /// <summary>Whether the broker's <c>wdd.pidns</c> names a pid namespace other than this process's.</summary>
    private bool BrokerInOtherPidNamespace()
    {
        try
        {
            string broker = File.ReadAllText(Path.Combine(RunDirectory, Platform.RunDirectory.PidNamespaceFileName)).Trim();
            return broker.Length > 0 && broker != ProcessControl.ReadPidNamespace();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // a broker of before wdd.pidns, or none
        }
    }

    /// <summary>The pid in <c>wdd.pid</c>, if there is one.</summary>
    private int? BrokerPid()
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(RunDirectory, "wdd.pid"));
            return int.TryParse(text.AsSpan().Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid)
                ? pid
                : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // no pid file: no broker, or one still starting
        }
    }

    /// <summary>The watch of the broker now running (a new one after a restart), for the queues opened on it.</summary>
    private BrokerWatch? CurrentWatch()
    {
        lock (_lock)
        {
            if (BrokerPid() is not int pid)
            {
                return _watch;
            }

            if (_watch is null || _watch.Pid != pid)
            {
                if (_watch is not null)
                {
                    _oldWatches.Add(_watch); // queues of the old broker still read it
                }

                // Its pidfd only where its pid is one of ours; else the queues poll their sockets (BrokerWatch).
                _watch = !BrokerInOtherPidNamespace() && BrokerWatch.TryStart(pid, out BrokerWatch? watch) ? watch : null;
            }

            return _watch;
        }
    }

    public bool TryOpenQueue(WdDeviceInfo device, [NotNullWhen(true)] out QueueTransport? queue, bool wait, CancellationToken cancellationToken)
    {
        BrokerConnection connection = Connect(device.Name);
        try
        {
            BrokerResponse response = connection.Call(new BrokerRequest { Op = BrokerOp.StartQueue, Flags = wait ? BrokerRequestFlags.Wait : 0 },
                out SafeFileHandle? fd, out string? message, cancellationToken);
            if (response.Status == BrokerStatus.NoQueue)
            {
                connection.Dispose();
                queue = null;
                return false;
            }

            if (response.Status != BrokerStatus.Ok || fd is null)
            {
                throw new WdException($"{device.Name}: {message ?? "no ring region in the reply"}");
            }

            SharedMemoryRegion ring = SharedMemoryRegion.Map(fd, (long)response.Value1);
            ring.CloseHandle();
            queue = new BrokerQueueTransport(this, connection, ring, device, CurrentWatch());
            return true;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>A region of at least <paramref name="length"/> bytes that every device of this broker reaches in place.</summary>
    public WdSharedMemory ReserveMemory(int length)
    {
        lock (_lock)
        {
            _memory ??= Connect((GetDevices() is [var first, ..] ? first.Name : null) ?? throw new WdDeviceNotFoundException($"no broker device in {RunDirectory}"));
            BrokerConnection memory = _memory;
            BrokerResponse allocated = memory.CallChecked(new BrokerRequest { Op = BrokerOp.MemAlloc, Arg0 = (ulong)length }, out SafeFileHandle? fd);
            ulong handle = allocated.Value0;
            void Free() => memory.Call(new BrokerRequest { Op = BrokerOp.MemFree, Arg0 = handle }, out _, out _);
            SharedMemoryRegion? region = null;
            try
            {
                region = SharedMemoryRegion.Map(fd ?? throw new WdException($"{memory.Device}: no region in the reply"), (long)allocated.Value1);
                region.CloseHandle();
                memory.CallChecked(new BrokerRequest { Op = BrokerOp.MemMap, Arg0 = handle, Arg1 = (ulong)region.Address }, out _);
            }
            catch
            {
                Free();
                region?.Dispose();
                throw;
            }

            return new WdSharedMemory(region.Address, length, Location, () =>
            {
                // Out of the domain first, then unmap: the address must not name this region once it can be reused.
                try
                {
                    Free();
                }
                catch (Exception e) when (e is WdException or ObjectDisposedException)
                {
                    // The broker is gone, or the runtime was disposed first (its connection is closed): the broker
                    // drops our regions with our last connection.
                }
                finally
                {
                    region.Dispose();
                }
            });
        }
    }

    private BrokerConnection Connect(string device)
    {
        BrokerConnection connection = BrokerConnection.Open(Platform.RunDirectory.DeviceSocket(RunDirectory, device), device);
        try
        {
            BrokerResponse info = connection.CallChecked(new BrokerRequest { Op = BrokerOp.Info }, out _);
            if (info.Value0 != BrokerProtocol.Version)
            {
                throw new WdException($"{device}: broker speaks protocol {info.Value0}, libwd {BrokerProtocol.Version}");
            }

            // An SVA device copies our memory with process_vm_readv/writev: under Yama's ptrace_scope 1 the broker
            // may do that only if we name it (PR_SET_PTRACER).
            var flags = (DeviceFlags)(uint)info.Value2;
            int brokerPid = (int)info.Value1;
            if ((flags & DeviceFlags.Sva) != 0 && !BrokerInOtherPidNamespace() && Interlocked.Exchange(ref _ptracer, brokerPid) != brokerPid)
            {
                ProcessControl.SetPtracer(brokerPid);
            }

            // In a container a device plugin allocated queues to, its queues count against that allocation.
            if (Environment.GetEnvironmentVariable(AllocationToken.EnvironmentVariable) is { Length: > 0 } claim)
            {
                if (!AllocationToken.TryParse(claim, out AllocationToken token))
                {
                    throw new WdConfigurationException(AllocationToken.EnvironmentVariable, $"{AllocationToken.EnvironmentVariable} is not {AllocationToken.TextLength} hex digits");
                }

                connection.CallChecked(new BrokerRequest { Op = BrokerOp.Claim, Arg0 = token.Low, Arg1 = token.High }, out _);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _memory?.Dispose();
            _memory = null;
            _watch?.Dispose();
            _watch = null;
            foreach (BrokerWatch old in _oldWatches)
            {
                old.Dispose();
            }

            _oldWatches.Clear();
        }
    }
}
