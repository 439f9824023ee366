using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using WarpDrive.Abi;
using WarpDrive.Platform;

namespace WarpDrive.TestClient;

/// <summary>A hostile client: it opens queues like any other process, then writes random and crafted descriptors
/// straight into its rings (bad opcodes, huge lengths, overlapping buffers, addresses in other processes, freed or
/// unmapped memory, garbage data lists and parameter blocks), corrupts its ring words and rings its doorbell in storms.
/// It keeps exact books: every descriptor it published is answered by one completion, or is left unanswered because
/// the broker disabled that queue; anything else is counted as lost. It prints one line of <c>key=value</c> counts.</summary>
/// <remarks>Valid requests are mixed in (a few per cent) and their output is checked, so a device that answers
/// garbage with wrong results would be seen too.</remarks>
internal sealed unsafe partial class HostileClient : IDisposable
{
    private const int ScratchSize = 1 << 20;
    private const int ValidInput = 2048;
    private const int ValidOutput = 4096;
    private static readonly TimeSpan s_answerTimeout = TimeSpan.FromSeconds(10);

    private readonly WdRuntime _runtime;
    private readonly Random _random;
    private readonly ulong[] _foreign;
    private readonly ulong[] _foreignUnmapped; // the foreign addresses (and the next 8 KiB) that are not mapped here
    private readonly byte* _scratch;
    private readonly byte* _validSource;
    private readonly byte* _validOutput;
    private readonly byte[] _text;
    private readonly WdSharedMemory _shared;
    private readonly ulong _stale;
    private readonly SortedDictionary<string, long> _counts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, WdQueue> _queues = new(StringComparer.Ordinal);
    private readonly Sqe[] _batch = new Sqe[4096];
    private readonly int[] _validOffset = new int[4096];
    private readonly bool[] _answered = new bool[4096];
    private ulong _burst;

    private HostileClient(WdRuntime runtime, int seed, ulong[] foreign)
    {
        _runtime = runtime;
        _random = new Random(seed);
        _foreign = foreign.Length > 0 ? foreign : [0x7f00_dead_0000];
        List<(ulong Start, ulong End)> maps = Mappings();
        _foreignUnmapped = [.. _foreign.Where(a => !maps.Any(m => a < m.End && a + 8192 > m.Start))];
        _scratch = GuardedScratch();
        _random.NextBytes(new Span<byte>(_scratch, ScratchSize));
        _text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 4000).Select(i => $"line {i} of the hostile client's checked requests\n")));
        _validSource = (byte*)NativeMemory.AlignedAlloc((nuint)_text.Length, 4096);
        _text.CopyTo(new Span<byte>(_validSource, _text.Length));
        _validOutput = (byte*)NativeMemory.AlignedAlloc((nuint)(_batch.Length * ValidOutput), 4096);
        _shared = runtime.ReserveMemory(256 << 10);
        _random.NextBytes(_shared.GetSpan());

        // An address that was shared memory of this process a moment ago (freed: its domain entry is gone).
        using (WdSharedMemory freed = runtime.ReserveMemory(64 << 10))
        {
            _stale = (ulong)freed.Address;
        }
    }

    /// <summary><c>hostile COUNT SEED [HEX_ADDRESS...]</c>: sends at least COUNT descriptors; the addresses are other
    /// processes' memory to aim at.</summary>
    public static int Run(WdRuntime runtime, string[] args)
    {
        long count = long.Parse(args[1], CultureInfo.InvariantCulture);
        int seed = int.Parse(args[2], CultureInfo.InvariantCulture);
        ulong[] foreign = [.. args.Skip(3).Select(a => ulong.Parse(a, NumberStyles.HexNumber, CultureInfo.InvariantCulture))];
        using var client = new HostileClient(runtime, seed, foreign);
        client.Attack(count);
        Console.WriteLine(string.Join(' ', client._counts.Select(kv => $"{kv.Key}={kv.Value}")));
        return 0;
    }

    private void Attack(long count)
    {
        // Each ring-corruption variant and the doorbell storm run at least a few times whatever COUNT is.
        for (int variant = 0; variant < CorruptionVariants; variant++)
        {
            for (int i = 0; i < 3; i++)
            {
                Corrupt(variant);
            }
        }

        Storm(TimeSpan.FromMilliseconds(100));
        for (long action = 0; Count("descriptors") < count; action++)
        {
            if (action % 400 == 399)
            {
                Corrupt(_random.Next(CorruptionVariants));
            }
            else if (action % 1000 == 999)
            {
                Storm(TimeSpan.FromMilliseconds(30));
            }
            else
            {
                int pick = _random.Next(100);
                Burst(pick < 75 ? "gzip" : pick < 93 ? "cipher" : "rsa");
            }
        }
    }

    private long Count(string key) => _counts.GetValueOrDefault(key);

    private void Add(string key, long n = 1) => _counts[key] = Count(key) + n;

    /// <summary>This client's queue for <paramref name="algorithm"/>; a disabled one is given back and reopened.</summary>
    private WdQueue Queue(string algorithm)
    {
        if (_queues.TryGetValue(algorithm, out WdQueue? queue))
        {
            if (queue.State == QueueState.Started)
            {
                return queue;
            }

            Add($"disabled_{queue.DisableReason}");
            queue.Dispose();
            Add("reopened");
        }

        return _queues[algorithm] = _runtime.RequestQueue(algorithm);
    }

    /// <summary>One burst of crafted descriptors on one queue, published properly, then every answer reaped.</summary>
    private void Burst(string algorithm)
    {
        WdQueue queue = Queue(algorithm);
        int n = _random.Next(1, queue.Depth + 1);
        ulong burst = ++_burst;
        for (int i = 0; i < n; i++)
        {
            ref Sqe sqe = ref _batch[i];
            _validOffset[i] = -1;
            switch (algorithm)
            {
                case "gzip":
                    CraftZip(ref sqe, i, queue);
                    break;
                case "cipher":
                    CraftCrypto(ref sqe, 0x20, 0x24, queue);
                    break;
                default:
                    CraftCrypto(ref sqe, 0x30, 0x45, queue);
                    break;
            }

            sqe.UserData = (burst << 16) | (uint)i;
            _answered[i] = false;
        }

        int sent = 0;
        try
        {
            while (sent < n && queue.TrySend(in _batch[sent]))
            {
                sent++;
            }

            queue.Flush();
        }
        catch (WdException)
        {
            // Disabled under us (by an earlier burst's errors): what was published still counts and must be answered
            // or left unanswered by a disabled queue.
        }

        Add("descriptors", sent);
        Reap(queue, burst, sent);
    }

    private void Reap(WdQueue queue, ulong burst, int sent)
    {
        int got = 0;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (got < sent)
        {
            if (queue.TryReceive(out Cqe cqe))
            {
                got += Tally(cqe, burst, sent);
                continue;
            }

            if (queue.State != QueueState.Started)
            {
                while (queue.TryReceive(out cqe))
                {
                    got += Tally(cqe, burst, sent);
                }

                Add("unanswered_on_disabled_queue", sent - got);
                return;
            }

            if (clock.Elapsed > s_answerTimeout)
            {
                Add("lost", sent - got);
                return;
            }

            queue.WaitForCompletion(TimeSpan.FromMilliseconds(10));
        }
    }

    /// <summary>Books one completion: 1 when it answers a descriptor of this burst not answered yet, else 0 (and counted).</summary>
    private int Tally(in Cqe cqe, ulong burst, int sent)
    {
        int index = (int)(cqe.UserData & 0xFFFF);
        if (cqe.UserData >> 16 != burst || index >= sent)
        {
            Add("unknown_completions");
            return 0;
        }

        if (_answered[index])
        {
            Add("duplicate_completions");
            return 0;
        }

        _answered[index] = true;
        Add("answered");
        Add($"status_{cqe.Status}");
        if (_validOffset[index] >= 0)
        {
            Add("valid_sent");
            if (cqe.Status == CompletionStatus.Ok && Gzip.Decompress(new ReadOnlySpan<byte>(_validOutput + (index * ValidOutput), (int)cqe.Produced))
                .SequenceEqual(_text.AsSpan(_validOffset[index], ValidInput)))
            {
                Add("valid_correct");
            }
            else
            {
                Add("valid_wrong");
                Console.Error.WriteLine($"valid request {index} of burst {burst}: status {cqe.Status}, {cqe.Produced} bytes, not the input");
            }
        }

        return 1;
    }

    private void CraftZip(ref Sqe sqe, int index, WdQueue queue)
    {
        int kind = _random.Next(100);
        sqe = ValidCompress();
        switch (kind)
        {
            case < 12: // 60 random bytes: any opcode, flags, addresses and lengths
                RandomBody(ref sqe);
                Add("kind_random");
                break;
            case < 22: // an opcode no device knows, the rest well formed
                sqe.Opcode = (Opcode)PickByte(0x01, 0x0F, 0x13, 0x1F, 0x46, 0xFF);
                Add("kind_bad_opcode");
                break;
            case < 36: // huge and "negative" lengths on good addresses
                sqe.SrcLen = AnyLength();
                sqe.DstLen = AnyLength();
                Add("kind_huge_length");
                break;
            case < 46: // source and destination overlap (in shared memory or in this process's own memory)
            {
                bool shared = _random.Next(2) == 0;
                ulong baseAddress = shared ? (ulong)_shared.Address : (ulong)_scratch;
                int span = shared ? _shared.Length : ScratchSize;
                int length = _random.Next(1, 16 << 10);
                int src = _random.Next(0, span - (2 * length));
                sqe.Src = baseAddress + (ulong)src;
                sqe.Dst = baseAddress + (ulong)Math.Clamp(src + _random.Next(-length + 1, length), 0, span - length);
                sqe.SrcLen = (uint)length;
                sqe.DstLen = (uint)length;
                sqe.Opcode = _random.Next(2) == 0 ? Opcode.Compress : Opcode.Decompress;
                Add("kind_overlap");
                break;
            }

            case < 64: // addresses of other processes, freed memory, the kernel, the ring itself, wrapping ranges
                if (_random.Next(2) == 0)
                {
                    sqe.Src = AnyAddress(queue);
                }
                else
                {
                    sqe.Dst = AnyDestination();
                }

                if (_random.Next(3) == 0)
                {
                    sqe.SrcLen = AnyLength();
                }

                Add("kind_bad_address");
                break;
            case < 76: // flags, levels, windows, stream ids, reserved words
                sqe.Flags = (SqeFlags)_random.Next(0, 0x10000);
                sqe.Level = (byte)_random.Next(256);
                sqe.WindowBits = (byte)_random.Next(256);
                sqe.StreamId = (uint)_random.Next(-1, 64);
                if (_random.Next(2) == 0)
                {
                    sqe.Reserved0 = (ushort)_random.Next(1, 0x10000);
                    sqe.Arg = (uint)_random.Next();
                    sqe.Params = AnyAddress(queue);
                    sqe.Reserved3 = (uint)_random.Next();
                }

                sqe.Algorithm = (byte)_random.Next(0, 8);
                Add("kind_bad_fields");
                break;
            case < 88: // a data list: the table or its entries anywhere, counts and lengths of any size
            {
                sqe.Flags = SqeFlags.SrcDataList;
                int entries = _random.Next(1, 64);
                ulong table = _random.Next(4) == 0 ? AnyAddress(queue) : (ulong)_scratch + (ulong)_random.Next(0, ScratchSize - (entries * DataListEntry.Size));
                if (table >= (ulong)_scratch && table - (ulong)_scratch <= (ulong)(ScratchSize - (entries * DataListEntry.Size))) // no wrap-around
                {
                    var list = new Span<DataListEntry>((void*)table, entries);
                    for (int e = 0; e < entries; e++)
                    {
                        list[e] = new DataListEntry
                        {
                            Address = _random.Next(2) == 0 ? AnyAddress(queue) : (ulong)_scratch + (ulong)_random.Next(ScratchSize),
                            Length = _random.Next(2) == 0 ? AnyLength() : (uint)_random.Next(0, 8192),
                            Reserved = _random.Next(8) == 0 ? (uint)_random.Next() : 0,
                        };
                    }
                }

                sqe.Src = table;
                sqe.SrcLen = _random.Next(4) == 0 ? AnyLength() : (uint)entries;
                Add("kind_data_list");
                break;
            }

            case < 94: // another device's opcodes with a garbage parameter block
                sqe.Opcode = (Opcode)PickByte(0x20, 0x24, 0x30, 0x45, 0x30, 0x45);
                sqe.Params = AnyAddress(queue);
                Add("kind_foreign_opcode");
                break;
            default: // well formed and checked: the device must still do real work right
                _validOffset[index] = _random.Next(0, _text.Length - ValidInput);
                sqe.Src = (ulong)(_validSource + _validOffset[index]);
                sqe.SrcLen = ValidInput;
                sqe.Dst = (ulong)(_validOutput + (index * ValidOutput));
                sqe.DstLen = ValidOutput;
                Add("kind_valid");
                break;
        }
    }

    /// <summary>A SEC or HPRE descriptor: an opcode of that device, any algorithm byte, and a parameter block that is
    /// garbage, crafted (fields aimed anywhere, lengths of any size) or not there at all.</summary>
    private void CraftCrypto(ref Sqe sqe, byte firstOpcode, byte lastOpcode, WdQueue queue)
    {
        sqe = default;
        if (_random.Next(5) == 0)
        {
            RandomBody(ref sqe);
            Add("kind_random");
            return;
        }

        sqe.Opcode = (Opcode)_random.Next(firstOpcode, lastOpcode + 1);
        sqe.Algorithm = (byte)_random.Next(0, 24);
        sqe.Mode = (byte)_random.Next(0, 8);
        sqe.Src = _random.Next(3) == 0 ? AnyAddress(queue) : (ulong)_scratch + (ulong)_random.Next(ScratchSize - 8192);
        sqe.SrcLen = _random.Next(3) == 0 ? AnyLength() : (uint)_random.Next(0, 4096);
        sqe.Dst = _random.Next(3) == 0 ? AnyDestination() : (ulong)_scratch + (ulong)_random.Next(ScratchSize - 8192);
        sqe.DstLen = _random.Next(3) == 0 ? AnyLength() : (uint)_random.Next(0, 4096);
        int offset = _random.Next(0, (ScratchSize / 64) - 1) * 64;
        var block = (CryptoParams*)(_scratch + offset);
        if (_random.Next(2) == 0)
        {
            _random.NextBytes(new Span<byte>(block, sizeof(CryptoParams)));
        }
        else
        {
            *block = new CryptoParams
            {
                Key = _random.Next(2) == 0 ? AnyAddress(queue) : (ulong)_scratch + (ulong)_random.Next(ScratchSize - 1024),
                KeyLen = _random.Next(2) == 0 ? AnyLength() : (uint)_random.Next(0, 600),
                Iv = AnyAddress(queue),
                IvLen = (uint)_random.Next(0, 64),
                Aad = AnyAddress(queue),
                AadLen = _random.Next(2) == 0 ? AnyLength() : (uint)_random.Next(0, 64),
                TagLen = (uint)_random.Next(0, 33),
                Aux = AnyDestination(), // some operations write through it
                AuxLen = _random.Next(2) == 0 ? AnyLength() : (uint)_random.Next(0, 1024),
            };
        }

        sqe.Params = _random.Next(6) == 0 ? AnyAddress(queue) : (ulong)block;
        Add("kind_crypto");
    }

    /// <summary>A well-formed gzip compression from and into this process's scratch memory (the base that the
    /// crafted kinds then spoil one field at a time).</summary>
    private Sqe ValidCompress() => new()
    {
        Opcode = Opcode.Compress,
        Algorithm = (byte)CompAlgorithm.Gzip,
        Level = 1,
        Src = (ulong)_scratch + (ulong)_random.Next(0, ScratchSize - 4096),
        SrcLen = 4096,
        Dst = (ulong)_scratch + (ulong)_random.Next(0, ScratchSize - 8192),
        DstLen = 8192,
    };

    private void RandomBody(ref Sqe sqe)
    {
        fixed (Sqe* p = &sqe)
        {
            _random.NextBytes(new Span<byte>(p, Sqe.SeqOffset));
        }
    }

    private byte PickByte(int lo1, int hi1, int lo2, int hi2, int lo3, int hi3) => (byte)(_random.Next(3) switch
    {
        0 => _random.Next(lo1, hi1 + 1),
        1 => _random.Next(lo2, hi2 + 1),
        _ => _random.Next(lo3, hi3 + 1),
    });

    /// <summary>An address a well-behaved client would never name.</summary>
    private ulong AnyAddress(WdQueue queue) => _random.Next(12) switch
    {
        0 => 0,
        1 => 0x1000,
        2 => 0xFFFF_8000_0000_0000, // the kernel's half
        3 => ulong.MaxValue - (ulong)_random.Next(4096), // a range that wraps around
        4 => _foreign[_random.Next(_foreign.Length)] + (ulong)_random.Next(0, 4096), // another process's memory
        5 => _stale + (ulong)_random.Next(0, 64 << 10), // freed shared memory
        6 => (ulong)_shared.Address + (ulong)_shared.Length - (ulong)_random.Next(1, 64), // straddles the region's end
        7 => (ulong)queue.Region.Base + (ulong)_random.Next(0, 4096), // the ring itself
        8 => (ulong)_scratch + ScratchSize - (ulong)_random.Next(1, 64), // straddles into unmapped memory
        9 => (ulong)_shared.Address + (ulong)_random.Next(_shared.Length),
        10 => (ulong)_random.NextInt64(),
        _ => (ulong)_random.NextInt64(0x1000, 0x7FFF_FFFF_F000), // somewhere in user space
    };

    /// <summary>An address to write through that cannot be memory this process lives on: the device would write there
    /// for it (SVA shares the address space), and a hostile client that scribbles over its own heap only loses its
    /// books. Every one is still wrong: unmapped, not user space, wrapping, another process's, or straddling the end
    /// of a buffer.</summary>
    private ulong AnyDestination() => _random.Next(8) switch
    {
        0 => (ulong)_random.Next(0, 0x10000), // below mmap_min_addr: never mapped
        1 => 0xFFFF_8000_0000_0000 + (ulong)_random.NextInt64(), // the kernel's half
        2 => 0x0000_8000_0000_0000 + (ulong)_random.NextInt64(0, 1L << 46), // not canonical
        3 => ulong.MaxValue - (ulong)_random.Next(4096), // wraps around
        4 when _foreignUnmapped.Length > 0 => _foreignUnmapped[_random.Next(_foreignUnmapped.Length)] + (ulong)_random.Next(0, 4096),
        5 => (ulong)_scratch - (ulong)_random.Next(1, GuardSize), // in the guard before the buffer
        6 => (ulong)_scratch + ScratchSize - (ulong)_random.Next(1, 64), // straddles the buffer's end
        _ => (ulong)_scratch + (ulong)_random.Next(ScratchSize),
    };

    private const int GuardSize = 1 << 16;

    /// <summary>The scratch buffer most crafted descriptors aim at, between two inaccessible guard areas: a length
    /// that runs past either end faults (for the device too) instead of reaching this process's own heap, which an
    /// SVA device would read and write as faithfully as the client's buffers.</summary>
    private static byte* GuardedScratch()
    {
        const int ProtNone = 0, ProtReadWrite = 3, MapPrivateAnonymous = 0x02 | 0x20;
        nint area = Mmap(0, ScratchSize + (2 * GuardSize), ProtNone, MapPrivateAnonymous, -1, 0);
        if (area == -1 || Mprotect(area + GuardSize, ScratchSize, ProtReadWrite) != 0)
        {
            throw new InvalidOperationException($"mmap/mprotect failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return (byte*)(area + GuardSize);
    }

    [LibraryImport("libc", EntryPoint = "mmap", SetLastError = true)]
    private static partial nint Mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", EntryPoint = "mprotect", SetLastError = true)]
    private static partial int Mprotect(nint address, nuint length, int protection);

    [LibraryImport("libc", EntryPoint = "munmap", SetLastError = true)]
    private static partial int Munmap(nint address, nuint length);

    /// <summary>The ranges of <c>/proc/self/maps</c>.</summary>
    private static List<(ulong Start, ulong End)> Mappings() =>
    [
        .. File.ReadLines("/proc/self/maps").Select(line => line[..line.IndexOf(' ', StringComparison.Ordinal)].Split('-'))
            .Select(range => (ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture))),
    ];

    private uint AnyLength() => _random.Next(8) switch
    {
        0 => 0,
        1 => uint.MaxValue,
        2 => 0x8000_0000,
        3 => int.MaxValue,
        4 => (64u << 20) + 1, // just over max_request_bytes
        5 => (uint)_random.Next(1, 1 << 20),
        6 => (uint)_random.NextInt64(0, uint.MaxValue),
        _ => (uint)_random.Next(0, 256),
    };

    private const int CorruptionVariants = 6;

    /// <summary>Breaks the ring protocol on a fresh queue of its own, then publishes one NOP by hand and books what the
    /// device made of it (answered, disabled and why, or silence: nothing valid was published). The queue is given
    /// back afterwards.</summary>
    private void Corrupt(int variant)
    {
        using WdQueue queue = _runtime.RequestQueue("gzip");
        QueueRegion region = queue.Region;
        ulong position = 0;
        switch (variant)
        {
            case 0: // a consumer index the device never produced, once the CQ is full: the device must look at it
                position = FillCompletionRing(region);
                Volatile.Write(ref region.CqHead, (ulong)_random.NextInt64(region.Depth + 1, long.MaxValue));
                break;
            case 1: // a slot published out of order (its sequence word claims a later position)
                position = (ulong)_random.Next(1, region.Depth);
                break;
            case 2: // the whole SQ overwritten with garbage, sequence words included, and the device woken to look at it
                _random.NextBytes(new Span<byte>((void*)region.SqSlot(0), region.Depth * Sqe.Size));
                Interlocked.Increment(ref region.Doorbell);
                Futex.Wake(region.DoorbellAddress);
                // Until the device has looked (a fixed 50 ms was not enough on a loaded machine: the NOP published below
                // then filled slot 0 before the engine saw the garbage, and was answered).
                SpinWait.SpinUntil(() => (QueueState)Volatile.Read(ref region.State) == QueueState.Disabled, TimeSpan.FromSeconds(5));
                break;
            case 3: // every word the client may write, garbage: tail, doorbell, status word, reason, error count
                Volatile.Write(ref region.SqTail, (ulong)_random.NextInt64());
                Volatile.Write(ref region.Doorbell, (uint)_random.Next());
                Volatile.Write(ref region.State, (uint)_random.Next(0, 5));
                Volatile.Write(ref region.DisableReason, (uint)_random.Next(0, 8));
                Volatile.Write(ref region.ErrorCount, (uint)_random.Next());
                break;
            case 4: // the header (queue id, depth, stream count) rewritten
                _random.NextBytes(new Span<byte>((void*)region.Base, RingLayout.ControlOffset));
                break;
            default: // the consumer index moved backwards, once the CQ is full
                position = FillCompletionRing(region);
                Volatile.Write(ref region.CqHead, ulong.MaxValue - (ulong)_random.Next(0, 16));
                break;
        }

        PublishNop(region, position);
        // Silence is the right answer to an out-of-order slot (variant 1); the others get an answer or a disable, which a
        // loaded machine may take a while to give.
        TimeSpan patience = variant == 1 ? TimeSpan.FromMilliseconds(300) : TimeSpan.FromSeconds(5);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        string outcome = "silent";
        while (clock.Elapsed < patience)
        {
            // The device's own decision: it disables through the status word (which the client may also have scribbled
            // on: variant 3), so the verdict reads the reason next to it and the completion ring.
            Cqe* answer = region.CqSlot(position);
            if (Volatile.Read(ref answer->Seq) == (uint)(position + 1) && answer->UserData == 0xC0FFEE)
            {
                outcome = $"answered_{answer->Status}";
                break;
            }

            if (variant != 3 && (QueueState)Volatile.Read(ref region.State) == QueueState.Disabled)
            {
                outcome = $"disabled_{(QueueDisableReason)Volatile.Read(ref region.DisableReason)}";
                break;
            }

            Thread.Sleep(1);
        }

        Add($"corruption{variant}_{outcome}");
        Add("corruptions");
    }

    /// <summary>Publishes a NOP at <paramref name="position"/> by hand (body, then its sequence word) and rings.</summary>
    private static void PublishNop(QueueRegion region, ulong position)
    {
        Sqe* slot = region.SqSlot(position);
        *slot = new Sqe { UserData = 0xC0FFEE, Opcode = Opcode.Nop };
        Volatile.Write(ref slot->Seq, (uint)(position + 1));
        Volatile.Write(ref region.SqTail, position + 1);
        Interlocked.Increment(ref region.Doorbell);
        Futex.Wake(region.DoorbellAddress);
    }

    /// <summary>Publishes a ring's depth of NOPs and waits until the device has posted them all, consuming none: the
    /// CQ is full, so the next completion needs the client's <c>cq_head</c>. Returns the next SQ position.</summary>
    private ulong FillCompletionRing(QueueRegion region)
    {
        for (ulong position = 0; position < (ulong)region.Depth; position++)
        {
            PublishNop(region, position);
        }

        Cqe* last = region.CqSlot((ulong)region.Depth - 1);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (Volatile.Read(ref last->Seq) != (uint)region.Depth)
        {
            if (clock.Elapsed > s_answerTimeout)
            {
                Add("fill_timeouts"); // the device did not answer a ring of NOPs: the test fails on it
                break;
            }

            Thread.Sleep(1);
        }

        return (ulong)region.Depth;
    }

    /// <summary>Rings the doorbell of a queue as fast as this thread can for <paramref name="length"/>, then checks that
    /// the queue still serves a checked request.</summary>
    private void Storm(TimeSpan length)
    {
        WdQueue queue = Queue("gzip");
        QueueRegion region = queue.Region;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long rings = 0;
        while (clock.Elapsed < length)
        {
            for (int i = 0; i < 64; i++)
            {
                Interlocked.Increment(ref region.Doorbell);
                Futex.Wake(region.DoorbellAddress);
            }

            rings += 64;
        }

        Add("doorbells", rings);
        Add("storms");
        Burst("gzip");
    }

    public void Dispose()
    {
        foreach (WdQueue queue in _queues.Values)
        {
            queue.Dispose();
        }

        _shared.Dispose();
        _ = Munmap((nint)(_scratch - GuardSize), ScratchSize + (2 * GuardSize));
        NativeMemory.AlignedFree(_validSource);
        NativeMemory.AlignedFree(_validOutput);
    }
}
