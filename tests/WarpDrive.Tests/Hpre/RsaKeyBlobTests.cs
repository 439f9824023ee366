using System.Runtime.InteropServices;
using WarpDrive.Abi;

namespace WarpDrive.Tests.Hpre;

/// <summary>The RSA key-blob layout, read and written in one place (<see cref="RsaKeyBlob"/>) for libwd and the device.</summary>
public sealed class RsaKeyBlobTests
{
    [Theory]
    [InlineData(RsaKeyFormat.Public, 128)]
    [InlineData(RsaKeyFormat.Private, 256)]
    [InlineData(RsaKeyFormat.PrivateCrt, 257)] // odd k: the CRT fields are ceil(k/2) bytes
    [InlineData(RsaKeyFormat.PrivateCrt, 512)]
    public void EveryFieldReadsBackWhereItWasWrittenAndTheFieldsTileTheBlob(RsaKeyFormat format, int k)
    {
        byte[] blob = new byte[RsaKeyHeader.BlobLength(format, k)];
        RsaKeyBlob.WriteHeader(blob, format, k);
        var covered = new bool[blob.Length];
        covered.AsSpan(0, RsaKeyHeader.Size).Fill(true);
        foreach (RsaKeyField field in Enum.GetValues<RsaKeyField>().Where(f => RsaKeyBlob.Holds(format, f)))
        {
            Span<byte> slot = RsaKeyBlob.FieldOf(blob, format, k, field);
            Assert.Equal(field <= RsaKeyField.PrivateExponent ? k : (k + 1) / 2, slot.Length);
            slot.Fill((byte)(field + 1));
            int offset = (int)System.Runtime.CompilerServices.Unsafe.ByteOffset(ref blob[0], ref slot[0]);
            for (int i = offset; i < offset + slot.Length; i++)
            {
                Assert.False(covered[i], $"{field} overlaps another field at {i}");
                covered[i] = true;
            }
        }

        Assert.All(covered, Assert.True); // header and fields, nothing left over
        Assert.True(RsaKeyBlob.TryRead(blob, out RsaKeyBlob read));
        Assert.Equal(format, read.Format);
        Assert.Equal(k, read.ModulusBytes);
        foreach (RsaKeyField field in Enum.GetValues<RsaKeyField>())
        {
            ReadOnlySpan<byte> value = read[field];
            Assert.Equal(RsaKeyBlob.Holds(format, field), !value.IsEmpty);
            Assert.True(value.IndexOfAnyExcept((byte)(field + 1)) < 0, $"{field} read back other bytes");
        }
    }

    [Fact]
    public void MalformedHeadersAndLengthsAreRefused()
    {
        byte[] good = new byte[RsaKeyHeader.BlobLength(RsaKeyFormat.Public, 128)];
        RsaKeyBlob.WriteHeader(good, RsaKeyFormat.Public, 128);
        Assert.True(RsaKeyBlob.TryRead(good, out _));
        Assert.False(RsaKeyBlob.TryRead(good.AsSpan(0, 7), out _));
        Assert.False(RsaKeyBlob.TryRead(good.AsSpan(0, good.Length - 1), out _));
        Assert.False(RsaKeyBlob.TryRead([.. good, 0], out _));
        foreach (Func<RsaKeyHeader, RsaKeyHeader> spoil in new Func<RsaKeyHeader, RsaKeyHeader>[]
        {
            h => h with { Reserved = 1 },
            h => h with { Format = (RsaKeyFormat)9 },
            h => h with { ModulusBytes = 127 },
            h => h with { ModulusBytes = 513 },
        })
        {
            byte[] bad = (byte[])good.Clone();
            RsaKeyHeader header = spoil(MemoryMarshal.Read<RsaKeyHeader>(bad));
            MemoryMarshal.Write(bad, in header);
            Assert.False(RsaKeyBlob.TryRead(bad, out _));
        }

        Assert.Throws<ArgumentException>(() => RsaKeyBlob.WriteHeader(new byte[10], RsaKeyFormat.Public, 128));
        Assert.Throws<ArgumentOutOfRangeException>(() => RsaKeyBlob.FieldOf(good, RsaKeyFormat.Public, 128, RsaKeyField.PrivateExponent));
    }
}
