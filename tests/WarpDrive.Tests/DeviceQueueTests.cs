using System.IO.Compression;
using WarpDrive.Abi;
using WarpDrive.Devices.Engines;

namespace WarpDrive.Tests;

/// <summary>Raw descriptors through a real in-process ZIP device on ISA-L (zlib where libisal2 is absent;
/// <see cref="IsalPresenceTests"/> fails then).</summary>
public sealed class DeviceQueueTestsIsal() : DeviceQueueTests(DeflateEngine.Isal is null ? "zlib" : "isal");

/// <summary>Raw descriptors through a real in-process ZIP device on zlib.</summary>
public sealed class DeviceQueueTestsZlib() : DeviceQueueTests("zlib");

/// <summary>Raw descriptors through a real in-process ZIP device: what the device does with good and hostile SQEs.</summary>
public abstract unsafe class DeviceQueueTests : IDisposable
{
    private readonly WdRuntime _runtime;
    private readonly WdQueue _queue;
    private readonly byte[] _src = GC.AllocateArray<byte>(64 * 1024, pinned: true);
    private readonly byte[] _dst = GC.AllocateArray<byte>(128 * 1024, pinned: true);
    private readonly DataListEntry[] _table = GC.AllocateArray<DataListEntry>(8, pinned: true);
    private readonly int[] _shares;

    protected DeviceQueueTests(string engine)
    {
        _runtime = Engines.Runtime(engine);
        _queue = _runtime.RequestQueue("gzip");
        TestData.Text(_src.Length).CopyTo(_src, 0);
        _shares =
        [
            _queue.Share(Addr(_src), _src.Length),
            _queue.Share(Addr(_dst), _dst.Length),
            _queue.Share((nint)Unsafe(_table), _table.Length * DataListEntry.Size),
        ];
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        foreach (int h in _shares)
        {
            _queue.Unshare(h);
        }

        _queue.Dispose();
        _runtime.Dispose();
    }

    private static nint Addr(byte[] a)
    {
        fixed (byte* p = a)
        {
            return (nint)p; // pinned on the POH: the address stays valid
        }
    }

    private static DataListEntry* Unsafe(DataListEntry[] a)
    {
        fixed (DataListEntry* p = a)
        {
            return p;
        }
    }

    private Cqe Run(Sqe sqe)
    {
        Assert.True(_queue.TrySend(in sqe));
        _queue.Flush();
        Assert.True(_queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(10)), "no completion within 10 s");
        Assert.Equal(sqe.UserData, cqe.UserData);
        return cqe;
    }

    private Sqe Compress(ulong tag) => new()
    {
        UserData = tag,
        Opcode = Opcode.Compress,
        Algorithm = (byte)CompAlgorithm.Gzip,
        Level = 6,
        Src = (ulong)Addr(_src),
        SrcLen = (uint)_src.Length,
        Dst = (ulong)Addr(_dst),
        DstLen = (uint)_dst.Length,
    };

    private void AssertStillServes()
    {
        Cqe ok = Run(Compress(999));
        Assert.Equal(CompletionStatus.Ok, ok.Status);
        using var gz = new GZipStream(new MemoryStream(_dst, 0, (int)ok.Produced), CompressionMode.Decompress);
        var back = new MemoryStream();
        gz.CopyTo(back);
        Assert.Equal(_src, back.ToArray());
    }

    [Fact]
    public void NopCompletesWithItsTag()
    {
        Cqe cqe = Run(new Sqe { UserData = 0xfeedface12345678, Opcode = Opcode.Nop });
        Assert.Equal(CompletionStatus.Ok, cqe.Status);
    }

    [Fact]
    public void BlockCompressionWorksAndReportsTheCrc()
    {
        Cqe cqe = Run(Compress(1));
        Assert.Equal(CompletionStatus.Ok, cqe.Status);
        Assert.Equal((uint)_src.Length, cqe.Consumed);
        Assert.True((cqe.Flags & CqeFlags.EndOfStream) != 0);
        // gzip trailer: CRC-32 then ISIZE, little-endian.
        Assert.Equal(BitConverter.ToUInt32(_dst, (int)cqe.Produced - 8), cqe.Checksum);
        AssertStillServes();
    }

    public static TheoryData<string> Malformed() => new()
    {
        "opcode", "reserved0", "reserved1", "reserved2", "reserved3", "flags", "level", "window", "streamflags-on-block", "stream-id", "too-many-entries", "entry-reserved",
        "list-past-2g",
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedDescriptorsGetBadRequestAndTheDeviceKeepsServing(string fault)
    {
        uint errorsBefore = _queue.ErrorCount;
        Sqe sqe = Compress(7);
        switch (fault)
        {
            case "opcode": sqe.Opcode = (Opcode)0x7f; break;
            case "reserved0": sqe.Reserved0 = 1; break;
            case "reserved1": sqe.Arg = 1; break;
            case "reserved2": sqe.Params = 1; break;
            case "reserved3": sqe.Reserved3 = 1; break;
            case "flags": sqe.Flags = (SqeFlags)0x8000; break;
            case "level": sqe.Level = 10; break;
            case "window": sqe.WindowBits = 16; break;
            case "streamflags-on-block": sqe.Flags = SqeFlags.Last; break;
            case "stream-id": sqe.Flags = SqeFlags.Stream | SqeFlags.NewStream; sqe.StreamId = 1_000_000; break;
            case "too-many-entries": sqe.Flags = SqeFlags.SrcDataList; sqe.Src = (ulong)Unsafe(_table); sqe.SrcLen = DataListEntry.MaxEntries + 1; break;
            case "entry-reserved":
                _table[0] = new DataListEntry { Address = (ulong)Addr(_src), Length = 10, Reserved = 5 };
                sqe.Flags = SqeFlags.SrcDataList; sqe.Src = (ulong)Unsafe(_table); sqe.SrcLen = 1;
                break;
            case "list-past-2g": // the shared rule (RequestSource): at most int.MaxValue bytes in all, checked before the entry that passes it is mapped
                _table[0] = new DataListEntry { Address = (ulong)Addr(_src), Length = 10 };
                _table[1] = new DataListEntry { Address = (ulong)Addr(_src), Length = int.MaxValue };
                sqe.Flags = SqeFlags.SrcDataList; sqe.Src = (ulong)Unsafe(_table); sqe.SrcLen = 2;
                break;
        }

        Cqe cqe = Run(sqe);
        Assert.Equal(CompletionStatus.BadRequest, cqe.Status);
        Assert.Equal(0u, cqe.Produced);
        Assert.Equal(errorsBefore + 1, _queue.ErrorCount);
        AssertStillServes();
    }

    [Fact]
    public void UnknownAlgorithmIsUnsupported()
    {
        Sqe sqe = Compress(3);
        sqe.Algorithm = 9;
        Assert.Equal(CompletionStatus.Unsupported, Run(sqe).Status);
        AssertStillServes();
    }

    public static TheoryData<string> BadAddresses() => new()
    {
        "src-unshared", "dst-unshared", "src-null", "src-past-end", "dst-past-end", "src-wraps", "kernel-address",
        "table-unshared", "entry-unshared", "entry-past-end",
    };

    [Theory]
    [MemberData(nameof(BadAddresses))]
    public void AddressesOutsideTheDomainFaultAndTheDeviceKeepsServing(string fault)
    {
        byte[] stranger = new byte[4096]; // never shared with the device
        Sqe sqe = Compress(11);
        switch (fault)
        {
            case "src-unshared": fixed (byte* p = stranger) { sqe.Src = (ulong)p; } sqe.SrcLen = 16; break;
            case "dst-unshared": fixed (byte* p = stranger) { sqe.Dst = (ulong)p; } sqe.DstLen = 16; break;
            case "src-null": sqe.Src = 0; break;
            case "src-past-end": sqe.SrcLen = (uint)_src.Length + 1; break;
            case "dst-past-end": sqe.Dst += 16; break;
            case "src-wraps": sqe.Src = ulong.MaxValue - 8; sqe.SrcLen = 64; break;
            case "kernel-address": sqe.Src = 0xffff_8000_0000_0000; break;
            case "table-unshared":
                fixed (byte* p = stranger) { sqe.Src = (ulong)p; }
                sqe.Flags = SqeFlags.SrcDataList; sqe.SrcLen = 1;
                break;
            case "entry-unshared":
                fixed (byte* p = stranger) { _table[0] = new DataListEntry { Address = (ulong)p, Length = 16 }; }
                sqe.Flags = SqeFlags.SrcDataList; sqe.Src = (ulong)Unsafe(_table); sqe.SrcLen = 1;
                break;
            case "entry-past-end":
                _table[0] = new DataListEntry { Address = (ulong)Addr(_src), Length = 10 };
                _table[1] = new DataListEntry { Address = (ulong)Addr(_src) + 100, Length = (uint)_src.Length };
                sqe.Flags = SqeFlags.SrcDataList; sqe.Src = (ulong)Unsafe(_table); sqe.SrcLen = 2;
                break;
        }

        Cqe cqe = Run(sqe);
        Assert.Equal(CompletionStatus.AddressFault, cqe.Status);
        Assert.Equal(0u, cqe.Produced);
        AssertStillServes();
    }

    [Fact]
    public void BlockModeOutputTooSmallIsOutOfSpaceWithNothingReported()
    {
        Sqe sqe = Compress(5);
        sqe.DstLen = 100;
        Cqe cqe = Run(sqe);
        Assert.Equal(CompletionStatus.OutOfSpace, cqe.Status);
        Assert.Equal(0u, cqe.Produced);
        AssertStillServes();
    }

    [Fact]
    public void CorruptInputIsADataError()
    {
        Cqe good = Run(Compress(1));
        byte[] corrupt = _dst.AsSpan(0, (int)good.Produced).ToArray();
        corrupt[corrupt.Length / 2] ^= 0x55;
        corrupt.CopyTo(_src, 0);
        var sqe = new Sqe
        {
            UserData = 2, Opcode = Opcode.Decompress, Algorithm = (byte)CompAlgorithm.Gzip,
            Src = (ulong)Addr(_src), SrcLen = (uint)corrupt.Length, Dst = (ulong)Addr(_dst), DstLen = (uint)_dst.Length,
        };
        Cqe cqe = Run(sqe);
        Assert.Equal(CompletionStatus.DataError, cqe.Status);
        Assert.Contains((DataErrorKind)cqe.Detail, new[] { DataErrorKind.InvalidData, DataErrorKind.ChecksumMismatch });
        TestData.Text(_src.Length).CopyTo(_src, 0);
        AssertStillServes();
    }

    [Fact]
    public void StreamIdsAreCheckedAndReleased()
    {
        // Continuing a stream that was never started is refused.
        Sqe sqe = Compress(1);
        sqe.Flags = SqeFlags.Stream;
        sqe.StreamId = 2;
        Assert.Equal(CompletionStatus.BadRequest, Run(sqe).Status);

        sqe.Flags = SqeFlags.Stream | SqeFlags.NewStream;
        Assert.Equal(CompletionStatus.Ok, Run(sqe).Status);
        sqe.Flags = SqeFlags.Stream;
        Assert.Equal(CompletionStatus.Ok, Run(sqe).Status);
        sqe.Opcode = Opcode.Decompress; // same stream, other operation
        Assert.Equal(CompletionStatus.BadRequest, Run(sqe).Status);

        Assert.Equal(CompletionStatus.Ok, Run(new Sqe { UserData = 4, Opcode = Opcode.StreamRelease, Flags = SqeFlags.Stream, StreamId = 2 }).Status);
        sqe.Opcode = Opcode.Compress;
        Assert.Equal(CompletionStatus.BadRequest, Run(sqe).Status); // released
    }

    [Fact]
    public void RandomDescriptorsNeverHurtTheDevice()
    {
        var random = new Random(12345);
        byte[] garbage = TestData.Random(_src.Length, 99);
        garbage.CopyTo(_src, 0);
        ulong[] addresses = [(ulong)Addr(_src), (ulong)Addr(_dst), (ulong)Unsafe(_table), 0, 1, 0x1000, 0xffff_ffff_ffff_f000, (ulong)random.NextInt64()];
        for (int i = 0; i < _table.Length; i++)
        {
            _table[i] = new DataListEntry { Address = addresses[random.Next(addresses.Length)], Length = (uint)random.Next(0, 70_000) };
        }

        var seen = new HashSet<CompletionStatus>();
        for (int i = 0; i < 3000; i++)
        {
            var sqe = new Sqe
            {
                UserData = (ulong)i,
                Opcode = random.Next(4) switch { 0 => Opcode.Compress, 1 => Opcode.Decompress, 2 => Opcode.StreamRelease, _ => (Opcode)random.Next(256) },
                Algorithm = (byte)random.Next(4),
                Flags = random.Next(2) == 0 ? SqeFlags.None : (SqeFlags)random.Next(64),
                Level = (byte)random.Next(12),
                WindowBits = (byte)random.Next(17),
                Src = addresses[random.Next(addresses.Length)] + (ulong)random.Next(0, 100),
                Dst = addresses[random.Next(addresses.Length)] + (ulong)random.Next(0, 100),
                SrcLen = (uint)random.Next(0, 66_000), // mostly inside the shared buffers, sometimes past their end
                DstLen = (uint)random.Next(0, 132_000),
                StreamId = (uint)random.Next(40),
            };
            Cqe cqe = Run(sqe);
            Assert.True(Enum.IsDefined(cqe.Status), $"status {cqe.Status}");
            Assert.True(cqe.Produced <= sqe.DstLen);
            seen.Add(cqe.Status);
        }

        // The mix reached the interesting outcomes, not just one kind of refusal.
        Assert.Contains(CompletionStatus.BadRequest, seen);
        Assert.Contains(CompletionStatus.AddressFault, seen);
        Assert.Contains(CompletionStatus.DataError, seen);
        Assert.Contains(CompletionStatus.Ok, seen);
        TestData.Text(_src.Length).CopyTo(_src, 0);
        AssertStillServes();
    }

    [Fact]
    public void BatchOfManySqesNeedsOneDoorbell()
    {
        int n = _queue.Depth;
        var batch = new Sqe[n];
        for (int i = 0; i < n; i++)
        {
            batch[i] = new Sqe { UserData = (ulong)i, Opcode = Opcode.Nop };
        }

        Assert.Equal(n, _queue.Send(batch));
        for (int i = 0; i < n; i++)
        {
            Assert.True(_queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(10)));
            Assert.Equal((ulong)i, cqe.UserData);
        }
    }

    [Fact]
    public void ReleasedQueueGoesBackToTheDevice()
    {
        int before = _runtime.Devices[0].AvailableInstances;
        WdQueue extra = _runtime.RequestQueue("deflate");
        Assert.Equal(before - 1, _runtime.Devices[0].AvailableInstances);
        extra.Dispose();
        Assert.Equal(before, _runtime.Devices[0].AvailableInstances);
        Assert.Throws<WdDeviceNotFoundException>(() => _runtime.RequestQueue("lz77_zstd"));
    }

    [Fact]
    public void ExhaustedDeviceSaysSo()
    {
        var taken = new List<WdQueue>();
        try
        {
            while (_runtime.Devices[0].AvailableInstances > 0)
            {
                taken.Add(_runtime.RequestQueue("gzip"));
            }

            var e = Assert.Throws<WdDeviceNotFoundException>(() => _runtime.RequestQueue("gzip"));
            Assert.Contains("available_instances is 0", e.Message);
        }
        finally
        {
            taken.ForEach(q => q.Dispose());
        }
    }
}
