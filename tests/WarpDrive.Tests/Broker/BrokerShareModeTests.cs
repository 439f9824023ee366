using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Compression;
using Xunit.Abstractions;

namespace WarpDrive.Tests.Broker;

/// <summary>SHARE mode on a device without SVA: the engine cannot copy anything in or out, so every success here
/// proves it read and wrote the client's pages in place, through the broker's own mapping of the same memfds, and
/// that pointers stored inside shared data (a data list) are translated the same way.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
[Collection(BrokerProcessCollection.Name)]
public sealed class BrokerShareModeTests(ITestOutputHelper output)
{
    private const string Config = """{ "devices": [ { "name": "zip-0", "memory": "share", "queues": 4 } ] }""";

    [Fact]
    public async Task ADataListInOneSharedBufferPointsIntoOthers()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        Assert.Equal("SHARE", broker.ReadAttribute("zip-0", "flags"));
        using WdRuntime runtime = broker.CreateRuntime();
        using WdQueue queue = runtime.RequestQueue("gzip");
        using WdSharedMemory a = runtime.ReserveMemory(4096);      // the table
        using WdSharedMemory b = runtime.ReserveMemory(64 << 10);  // data
        using WdSharedMemory c = runtime.ReserveMemory(96 << 10);  // more data
        using WdSharedMemory d = runtime.ReserveMemory(256 << 10); // output
        TestData.Text(b.Length, seed: 71).CopyTo(b.GetSpan());
        TestData.Text(c.Length, seed: 72).CopyTo(c.GetSpan());

        // Three entries: all of B, a piece from the middle of C, then the start of B again.
        (WdSharedMemory Buffer, int Offset, int Length)[] entries = [(b, 0, b.Length), (c, 12_345, 50_000), (b, 0, 1000)];
        Span<DataListEntry> table = MemoryMarshal.Cast<byte, DataListEntry>(a.GetSpan());
        var expected = new List<byte>();
        for (int i = 0; i < entries.Length; i++)
        {
            (WdSharedMemory buffer, int offset, int length) = entries[i];
            table[i] = new DataListEntry { Address = (ulong)(buffer.Address + offset), Length = (uint)length };
            expected.AddRange(buffer.GetSpan().Slice(offset, length).ToArray());
        }

        var sqe = new Sqe
        {
            UserData = 1,
            Opcode = Opcode.Compress,
            Algorithm = (byte)CompAlgorithm.Gzip,
            Level = 6,
            Flags = SqeFlags.SrcDataList,
            Src = (ulong)a.Address,
            SrcLen = (uint)entries.Length,
            Dst = (ulong)d.Address,
            DstLen = (uint)d.Length,
        };
        Cqe cqe = BrokerTestKit.Run(queue, sqe);
        Assert.Equal(CompletionStatus.Ok, cqe.Status);
        Assert.Equal((uint)expected.Count, cqe.Consumed);
        Assert.Equal(expected.ToArray(), BrokerTestKit.Gunzip(BrokerTestKit.Span(d, (int)cqe.Produced)));
        output.WriteLine($"{entries.Length} entries, {expected.Count} bytes -> {cqe.Produced} bytes in place");

        // The same table with one entry past the end of its buffer is a fault, not a read of whatever follows.
        table[1] = new DataListEntry { Address = (ulong)(c.Address + c.Length - 100), Length = 4096 };
        Assert.Equal(CompletionStatus.AddressFault, BrokerTestKit.Run(queue, sqe with { UserData = 2 }).Status);
    }

    [Fact]
    public async Task ACompressionSessionWorksOnReservedMemoryAndFaultsOnManagedMemory()
    {
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        using WdRuntime runtime = broker.CreateRuntime();
        byte[] data = TestData.Text(300_000, seed: 73);
        using WdSharedMemory source = runtime.ReserveMemory(data.Length);
        using WdSharedMemory packed = runtime.ReserveMemory(CompressionSession.GetMaxCompressedLength(data.Length));
        using WdSharedMemory unpacked = runtime.ReserveMemory(data.Length);
        data.CopyTo(source.GetSpan());

        using var compress = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, runtime);
        Assert.Equal("zip-0", compress.Device.Name);
        CompressionResult c = compress.Process(source.GetSpan()[..data.Length], packed.GetSpan());
        Assert.True(c.IsOk, c.DescribeError());
        Assert.Equal(data, BrokerTestKit.Gunzip(BrokerTestKit.Span(packed, c.Produced)));

        using var decompress = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Direction = CompressionDirection.Decompress }, runtime);
        CompressionResult d = decompress.Process(packed.GetSpan()[..c.Produced], unpacked.GetSpan());
        Assert.True(d.IsOk, d.DescribeError());
        Assert.Equal(data.Length, d.Produced);
        Assert.True(unpacked.GetSpan()[..data.Length].SequenceEqual(data));

        // Managed buffers are outside every region: a share-only device cannot reach them.
        byte[] managed = new byte[CompressionSession.GetMaxCompressedLength(data.Length)];
        CompressionResult refused = compress.Process(data, managed);
        Assert.Equal(CompletionStatus.AddressFault, refused.Status);
        refused = compress.Process(source.GetSpan()[..data.Length], managed);
        Assert.Equal(CompletionStatus.AddressFault, refused.Status);
    }

    [Fact]
    public async Task ACompressionSessionTakesASequenceOfReservedSegmentsItsTableInSharedMemoryToo()
    {
        // The session builds the data-list table itself: on a share-only device that table must be device-visible
        // as well, so the session takes it from the broker rather than from managed memory.
        await using BrokerProcess broker = await BrokerProcess.StartAsync(Config, output);
        using WdRuntime runtime = broker.CreateRuntime();
        using WdSharedMemory first = runtime.ReserveMemory(40_000);
        using WdSharedMemory second = runtime.ReserveMemory(70_000);
        using WdSharedMemory packed = runtime.ReserveMemory(CompressionSession.GetMaxCompressedLength(110_000));
        TestData.Text(first.Length, seed: 74).CopyTo(first.GetSpan());
        TestData.Text(second.Length, seed: 75).CopyTo(second.GetSpan());
        var head = new Segment(first.Memory, 0);
        Segment tail = head.Append(second.Memory);
        var sequence = new System.Buffers.ReadOnlySequence<byte>(head, 0, tail, tail.Memory.Length);

        using var session = new CompressionSession(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, runtime);
        CompressionResult r = session.Process(sequence, packed.GetSpan());
        Assert.True(r.IsOk, r.DescribeError());
        Assert.Equal([.. first.GetSpan().ToArray(), .. second.GetSpan().ToArray()], BrokerTestKit.Gunzip(BrokerTestKit.Span(packed, r.Produced)));
    }

    private sealed class Segment : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
