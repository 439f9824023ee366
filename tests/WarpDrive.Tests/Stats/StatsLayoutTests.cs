using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using WarpDrive.Abi.Stats;

namespace WarpDrive.Tests.Stats;

/// <summary>The stats file's byte layout is what docs/STATS.md says: writers and readers in different processes
/// (and versions) meet only there.</summary>
public class StatsLayoutTests
{
    [Theory]
    [InlineData(nameof(StatsHeader.Magic), 0)]
    [InlineData(nameof(StatsHeader.Version), 4)]
    [InlineData(nameof(StatsHeader.HeaderSize), 6)]
    [InlineData(nameof(StatsHeader.DeviceRecordSize), 8)]
    [InlineData(nameof(StatsHeader.QueueRecordSize), 10)]
    [InlineData(nameof(StatsHeader.DeviceCount), 12)]
    [InlineData(nameof(StatsHeader.QueueCount), 16)]
    [InlineData(nameof(StatsHeader.Pid), 20)]
    [InlineData(nameof(StatsHeader.StartTime), 24)]
    [InlineData(nameof(StatsHeader.Publisher), 32)]
    [InlineData(nameof(StatsHeader.DeviceCapacity), 36)]
    [InlineData(nameof(StatsHeader.QueueCapacity), 40)]
    [InlineData(nameof(StatsHeader.Reserved0), 44)]
    public void HeaderFieldsSitWhereStatsMdSays(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<StatsHeader>(field));

    [Theory]
    [InlineData(nameof(DeviceStatsRecord.Name), 0)]
    [InlineData(nameof(DeviceStatsRecord.Algorithms), 32)]
    [InlineData(nameof(DeviceStatsRecord.FirstQueue), 128)]
    [InlineData(nameof(DeviceStatsRecord.QueueCount), 132)]
    [InlineData(nameof(DeviceStatsRecord.Workers), 136)]
    [InlineData(nameof(DeviceStatsRecord.QueueDepth), 140)]
    [InlineData(nameof(DeviceStatsRecord.Flags), 144)]
    [InlineData(nameof(DeviceStatsRecord.Isolated), 148)]
    [InlineData(nameof(DeviceStatsRecord.FaultCount), 152)]
    [InlineData(nameof(DeviceStatsRecord.Engine), 160)]
    [InlineData(nameof(DeviceStatsRecord.RequestFailures), 192)]
    public void DeviceRecordFieldsSitWhereStatsMdSays(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<DeviceStatsRecord>(field));

    [Theory]
    [InlineData(nameof(QueueStatsRecord.DeviceIndex), 0)]
    [InlineData(nameof(QueueStatsRecord.QueueId), 4)]
    [InlineData(nameof(QueueStatsRecord.State), 8)]
    [InlineData(nameof(QueueStatsRecord.OwnerPid), 12)]
    [InlineData(nameof(QueueStatsRecord.Submitted), 16)]
    [InlineData(nameof(QueueStatsRecord.Completed), 24)]
    [InlineData(nameof(QueueStatsRecord.Errors), 32)]
    [InlineData(nameof(QueueStatsRecord.BytesIn), 40)]
    [InlineData(nameof(QueueStatsRecord.BytesOut), 48)]
    [InlineData(nameof(QueueStatsRecord.Waiting), 56)]
    [InlineData(nameof(QueueStatsRecord.Reserved0), 60)]
    public void QueueRecordFieldsSitWhereStatsMdSays(string field, int offset) =>
        Assert.Equal(offset, (int)Marshal.OffsetOf<QueueStatsRecord>(field));

    [Fact]
    public void RecordsHaveTheirDocumentedSizesAndQueueRecordsOwnTheirLines()
    {
        Assert.Equal(128, Unsafe.SizeOf<StatsHeader>());
        Assert.Equal(256, Unsafe.SizeOf<DeviceStatsRecord>());
        Assert.Equal(128, Unsafe.SizeOf<QueueStatsRecord>());
        Assert.Equal(0x31534457u, StatsLayout.Magic);
        Assert.Equal("WDS1"u8.ToArray(), BitConverter.GetBytes(StatsLayout.Magic));
        Assert.Equal(128 + (3 * 256) + (48 * 128), StatsLayout.FileSize(3, 48));
        for (int devices = 0; devices < 5; devices++)
        {
            // Every engine writes only its own queues' records: each record starts a 128-byte line pair.
            Assert.Equal(0, StatsLayout.QueueOffset(devices, 7) % 128);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => StatsLayout.FileSize(StatsLayout.MaxDevices + 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => StatsLayout.FileSize(1, -1));
    }

    [Fact]
    public void ReaderRefusesWhatIsNotACompleteStatsFile()
    {
        byte[] file = new byte[StatsLayout.FileSize(1, 2)];
        Assert.False(StatsFileReader.TryParse(file.AsSpan(0, 64), out _, out _)); // short
        Assert.False(StatsFileReader.TryParse(file, out _, out _)); // no magic yet

        var header = new StatsHeader
        {
            Magic = StatsLayout.Magic, Version = StatsLayout.Version, HeaderSize = StatsLayout.HeaderSize,
            DeviceRecordSize = StatsLayout.DeviceRecordSize, QueueRecordSize = StatsLayout.QueueRecordSize,
            DeviceCapacity = 1, QueueCapacity = 2, DeviceCount = 1, QueueCount = 2, Pid = 42, Publisher = (uint)StatsPublisher.Broker,
        };
        MemoryMarshal.Write(file, in header);
        var device = new DeviceStatsRecord { FirstQueue = 0, QueueCount = 2, Workers = 3 };
        MemoryMarshal.Write(file.AsSpan(StatsLayout.DeviceOffset(0)), in device);
        StatsText.Write(file.AsSpan(StatsLayout.DeviceOffset(0), StatsLayout.NameSize), "zip-9");
        var queue = new QueueStatsRecord { QueueId = 1, State = (uint)QueueStatsState.Started, OwnerPid = 7, Submitted = 5, Completed = 4, Waiting = 2 };
        MemoryMarshal.Write(file.AsSpan(StatsLayout.QueueOffset(1, 1)), in queue);

        Assert.True(StatsFileReader.TryParse(file, out StatsSnapshot? snapshot, out string? error), error);
        DeviceSnapshot zip = Assert.Single(snapshot.Devices);
        Assert.Equal(("zip-9", 3, 2), (zip.Name, zip.Workers, zip.Queues.Count));
        Assert.Equal(StatsPublisher.Broker, snapshot.Publisher);
        QueueSnapshot q = zip.Queues[1];
        Assert.Equal((QueueStatsState.Started, 7, 5ul, 4ul, 3ul), (q.State, q.OwnerPid, q.Submitted, q.Completed, q.Depth));

        Assert.False(StatsFileReader.TryParse(file.AsSpan(0, file.Length - 1), out _, out _)); // truncated records

        device.QueueCount = 3; // more queues than the header covers
        MemoryMarshal.Write(file.AsSpan(StatsLayout.DeviceOffset(0)), in device);
        Assert.False(StatsFileReader.TryParse(file, out _, out _));

        header.Version = 2;
        MemoryMarshal.Write(file, in header);
        Assert.False(StatsFileReader.TryParse(file, out _, out string? why));
        Assert.Contains("version", why, StringComparison.Ordinal);
    }

    [Fact]
    public void LongTextIsCutAtAWholeCharacterAndReadBackToTheNul()
    {
        byte[] field = new byte[8];
        field.AsSpan().Fill(0xff);
        StatsText.Write(field, "abcdefgé"); // é is 2 bytes: it does not fit whole
        Assert.Equal("abcdefg", StatsText.Read(field));
        Assert.Equal(0, field[7]);
        StatsText.Write(field, "ab");
        Assert.Equal("ab", StatsText.Read(field));
        Assert.All(field[2..], b => Assert.Equal(0, b));
    }
}
