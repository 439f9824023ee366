using WarpDrive.Abi;
using WarpDrive.Devices;
using WarpDrive.Devices.Engines;
using WarpDrive.Devices.Zip;

namespace WarpDrive.Tests.Frames;

/// <summary>A real ZIP device (engine thread, ring, checks) on the native or the managed zstd and LZ4 engines, with an
/// SVA domain so that pinned arrays go in SQEs as they are: zstd and LZ4 requests as a client would send them.</summary>
internal sealed unsafe class FrameDevice : IDisposable
{
    private readonly DeviceHost _host;
    private readonly RawRing _ring;
    private ulong _tag;

    public FrameDevice(string engines)
    {
        ZipDevice device = engines == "managed"
            ? new ZipDevice("zip-0", null, ZstdEngine.Managed, Lz4Engine.Managed)
            : new ZipDevice("zip-0", null, ZstdEngine.Native!, Lz4Engine.Native!);
        Device = device;
        _host = new DeviceHost(device, new DeviceHostOptions { QueueCount = 1, WorkerCount = 1, QueueDepth = 16 });
        HardwareQueue queue = _host.AllocateQueue(Domain.CreateWholeAddressSpace());
        _ring = new RawRing(queue.RegionBase, queue.RegionSize);
    }

    public ZipDevice Device { get; }

    /// <summary>Requests the device counted as its own faults (toward isolation).</summary>
    public int Faults => _host.FaultCount;

    /// <summary>What the last fault said.</summary>
    public string? LastFault => _host.LastRequestFailure ?? _host.LastFault;

    /// <summary>The engine sets on this machine: the managed ports always, the native libraries where installed.</summary>
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string> { "managed" };
        if (ZstdEngine.Native is not null && Lz4Engine.Native is not null)
        {
            data.Add("native");
        }

        return data;
    }

    public static TheoryData<string, CompAlgorithm> AllWithFormats()
    {
        var data = new TheoryData<string, CompAlgorithm>();
        foreach (string engines in All())
        {
            data.Add(engines, CompAlgorithm.Zstd);
            data.Add(engines, CompAlgorithm.Lz4);
        }

        return data;
    }

    /// <summary>Runs one request over pinned <paramref name="input"/> into <paramref name="output"/> with pinned
    /// <paramref name="dictionary"/> (zstd; none when empty).</summary>
    public Cqe Run(Opcode opcode, CompAlgorithm algorithm, int level, ReadOnlySpan<byte> input, Span<byte> output, ReadOnlySpan<byte> dictionary,
        SqeFlags flags = SqeFlags.None)
    {
        fixed (byte* d = dictionary)
        {
            return Run(opcode, algorithm, level, input, output, flags, 0, (ulong)d, (uint)dictionary.Length);
        }
    }

    /// <summary>Runs one request over pinned <paramref name="input"/> into <paramref name="output"/>; <paramref name="parameters"/>
    /// and <paramref name="arg"/> go in the SQE as they are (a zstd dictionary's address and length).</summary>
    public Cqe Run(Opcode opcode, CompAlgorithm algorithm, int level, ReadOnlySpan<byte> input, Span<byte> output,
        SqeFlags flags = SqeFlags.None, uint streamId = 0, ulong parameters = 0, uint arg = 0)
    {
        fixed (byte* src = input)
        fixed (byte* dst = output)
        {
            var sqe = new Sqe
            {
                UserData = ++_tag,
                Opcode = opcode,
                Algorithm = (byte)algorithm,
                Level = (byte)(sbyte)level,
                Flags = flags,
                Src = (ulong)src,
                SrcLen = (uint)input.Length,
                Dst = (ulong)dst,
                DstLen = (uint)output.Length,
                StreamId = streamId,
                Params = parameters,
                Arg = arg,
            };
            Cqe cqe = _ring.Exchange(in sqe);
            Assert.Equal(sqe.UserData, cqe.UserData);
            return cqe;
        }
    }

    /// <summary>Block-mode compression; asserts success.</summary>
    public byte[] Compress(CompAlgorithm algorithm, int level, ReadOnlySpan<byte> input)
    {
        byte[] output = new byte[input.Length + (input.Length / 8) + 1024];
        Cqe cqe = Run(Opcode.Compress, algorithm, level, input, output);
        Assert.Equal(CompletionStatus.Ok, cqe.Status);
        Assert.Equal((uint)input.Length, cqe.Consumed);
        return output.AsSpan(0, (int)cqe.Produced).ToArray();
    }

    /// <summary>Block-mode decompression into room for <paramref name="capacity"/> bytes.</summary>
    public Cqe Decompress(CompAlgorithm algorithm, ReadOnlySpan<byte> input, int capacity, out byte[] output)
    {
        byte[] buffer = new byte[capacity];
        Cqe cqe = Run(Opcode.Decompress, algorithm, 0, input, buffer);
        output = buffer.AsSpan(0, (int)cqe.Produced).ToArray();
        return cqe;
    }

    /// <summary>Block-mode decompression; asserts success.</summary>
    public byte[] Decompress(CompAlgorithm algorithm, ReadOnlySpan<byte> input, int capacity)
    {
        Cqe cqe = Decompress(algorithm, input, capacity, out byte[] output);
        Assert.True(cqe.Status == CompletionStatus.Ok, $"{cqe.Status} ({(DataErrorKind)cqe.Detail})");
        return output;
    }

    public void Dispose() => _host.Dispose();
}
