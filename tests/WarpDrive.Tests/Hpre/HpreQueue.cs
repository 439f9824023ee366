using System.Runtime.InteropServices;
using System.Security.Cryptography;
using WarpDrive.Abi;

namespace WarpDrive.Tests.Hpre;

/// <summary>One HPRE request as a test lays it out: every buffer is copied into one pinned, shared arena next to
/// the <see cref="CryptoParams"/> block. The hooks let a test corrupt the SQE or the block.</summary>
public sealed class HpreCall
{
    public Opcode Opcode { get; init; }

    public byte Algorithm { get; init; }

    public byte Mode { get; init; }

    public byte Hash { get; init; }

    public uint Arg { get; init; }

    public byte[]? Key { get; init; }

    public byte[]? Src { get; init; }

    public byte[]? Aux { get; init; }

    public byte[]? Aad { get; init; }

    public int DstLen { get; init; }

    /// <summary>Edits the SQE after layout.</summary>
    public Func<Sqe, Sqe>? EditSqe { get; init; }

    /// <summary>Edits the parameter block after layout.</summary>
    public Func<CryptoParams, CryptoParams>? EditParams { get; init; }

    /// <summary>Send no parameter block (<c>Params</c> = 0) when the call names no key, aux or aad.</summary>
    public bool NoParams { get; init; }
}

/// <summary>The outcome of an <see cref="HpreCall"/>: the CQE and the first <c>Produced</c> bytes of the destination.</summary>
public sealed record HpreResult(Cqe Cqe, byte[] Output)
{
    public CompletionStatus Status => Cqe.Status;
}

/// <summary>A raw queue on a real in-process HPRE device, and an arena of shared memory for its requests.</summary>
public sealed unsafe class HpreQueue : IDisposable
{
    private const int ArenaSize = 256 * 1024;
    private readonly WdRuntime _runtime;
    private readonly bool _ownsRuntime = true;
    private readonly byte[] _arena = GC.AllocateArray<byte>(ArenaSize, pinned: true);
    private readonly int _share;
    private readonly List<WdQueue> _extra = [];
    private int _used;
    private ulong _tag;

    public HpreQueue(int engines = 1)
    {
        _runtime = new WdRuntime(new WdRuntimeOptions
        {
            EmbeddedZipEngine = "zlib",
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 4, WorkerCount = engines, QueueDepth = 64 },
        });
        Queue = _runtime.RequestQueue("rsa");
        _share = Queue.Share(Base, ArenaSize);
    }

    /// <summary>A raw queue for <paramref name="algorithm"/> on the device <paramref name="runtime"/> picks (the
    /// kernel's, in the Uacce tests); the runtime stays the caller's.</summary>
    public HpreQueue(WdRuntime runtime, string algorithm)
    {
        _runtime = runtime;
        _ownsRuntime = false;
        Queue = _runtime.RequestQueue(algorithm);
        _share = Queue.Share(Base, ArenaSize);
    }

    public WdQueue Queue { get; }

    public WdRuntime Runtime => _runtime;

    public nint Base
    {
        get
        {
            fixed (byte* p = _arena)
            {
                return (nint)p; // pinned on the POH
            }
        }
    }

    /// <summary>A second queue on the same device (for concurrency).</summary>
    public WdQueue OpenAnother()
    {
        WdQueue q = _runtime.RequestQueue("rsa");
        _extra.Add(q);
        return q;
    }

    /// <summary>Copies <paramref name="data"/> into the arena (64-byte aligned) and returns its address.</summary>
    public ulong Put(ReadOnlySpan<byte> data)
    {
        ulong address = Reserve(data.Length);
        data.CopyTo(_arena.AsSpan((int)(address - (ulong)Base)));
        return address;
    }

    /// <summary>Reserves <paramref name="length"/> zeroed bytes in the arena.</summary>
    public ulong Reserve(int length)
    {
        int at = (_used + 63) & ~63;
        if (at + length > ArenaSize)
        {
            throw new InvalidOperationException("arena full");
        }

        _arena.AsSpan(at, length).Clear();
        _used = at + length;
        return (ulong)Base + (ulong)at;
    }

    public HpreResult Run(HpreCall call)
    {
        _used = 0;
        var parameters = new CryptoParams();
        if (call.Key is not null)
        {
            parameters.Key = Put(call.Key);
            parameters.KeyLen = (uint)call.Key.Length;
        }

        if (call.Aux is not null)
        {
            parameters.Aux = Put(call.Aux);
            parameters.AuxLen = (uint)call.Aux.Length;
        }

        if (call.Aad is not null)
        {
            parameters.Aad = Put(call.Aad);
            parameters.AadLen = (uint)call.Aad.Length;
        }

        if (call.EditParams is not null)
        {
            parameters = call.EditParams(parameters);
        }

        var sqe = new Sqe
        {
            UserData = ++_tag,
            Opcode = call.Opcode,
            Algorithm = call.Algorithm,
            Mode = call.Mode,
            Hash = call.Hash,
            Arg = call.Arg,
        };
        if (!call.NoParams)
        {
            sqe.Params = Put(MemoryMarshal.AsBytes(new ReadOnlySpan<CryptoParams>(in parameters)));
        }

        if (call.Src is not null)
        {
            sqe.Src = Put(call.Src);
            sqe.SrcLen = (uint)call.Src.Length;
        }

        if (call.DstLen > 0)
        {
            sqe.Dst = Reserve(call.DstLen);
            sqe.DstLen = (uint)call.DstLen;
        }

        if (call.EditSqe is not null)
        {
            sqe = call.EditSqe(sqe);
        }

        Cqe cqe = Submit(Queue, sqe);
        byte[] output = [];
        if (cqe.Status == CompletionStatus.Ok && cqe.Produced > 0)
        {
            Assert.True(cqe.Produced <= sqe.DstLen, "produced more than the destination holds");
            output = _arena.AsSpan((int)(sqe.Dst - (ulong)Base), (int)cqe.Produced).ToArray();
        }

        return new HpreResult(cqe, output);
    }

    public static Cqe Submit(WdQueue queue, in Sqe sqe)
    {
        Assert.True(queue.TrySend(in sqe));
        queue.Flush();
        Assert.True(queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(60)), "no completion within 60 s");
        Assert.Equal(sqe.UserData, cqe.UserData);
        return cqe;
    }

    public void Dispose()
    {
        foreach (WdQueue q in _extra)
        {
            q.Dispose();
        }

        Queue.Unshare(_share);
        Queue.Dispose();
        if (_ownsRuntime)
        {
            _runtime.Dispose();
        }
    }
}

/// <summary>RSA key blobs (<see cref="RsaKeyHeader"/> + fixed-width big-endian integers) from the runtime's keys.</summary>
public static class RsaBlob
{
    public static byte[] From(RSAParameters p, RsaKeyFormat format)
    {
        int k = p.Modulus!.Length;
        int h = (k + 1) / 2;
        byte[] blob = new byte[RsaKeyHeader.BlobLength(format, k)];
        var header = new RsaKeyHeader { Format = format, ModulusBytes = (uint)k };
        MemoryMarshal.Write(blob, in header);
        int at = RsaKeyHeader.Size;
        void Put(byte[] value, int width)
        {
            value.CopyTo(blob, at + width - value.Length);
            at += width;
        }

        Put(p.Modulus, k);
        Put(p.Exponent!, k);
        if (format != RsaKeyFormat.Public)
        {
            Put(p.D!, k);
        }

        if (format == RsaKeyFormat.PrivateCrt)
        {
            Put(p.P!, h);
            Put(p.Q!, h);
            Put(p.DP!, h);
            Put(p.DQ!, h);
            Put(p.InverseQ!, h);
        }

        return blob;
    }

    /// <summary>The runtime's parameters read back from a <see cref="RsaKeyFormat.PrivateCrt"/> blob.</summary>
    public static RSAParameters ToParameters(byte[] blob)
    {
        RsaKeyHeader header = MemoryMarshal.Read<RsaKeyHeader>(blob);
        int k = (int)header.ModulusBytes, h = (k + 1) / 2;
        int at = RsaKeyHeader.Size;
        byte[] Take(int width)
        {
            byte[] v = blob.AsSpan(at, width).ToArray();
            at += width;
            return v;
        }

        var p = new RSAParameters { Modulus = Take(k), Exponent = Take(k).AsSpan().TrimStart((byte)0).ToArray(), D = Take(k) };
        p.P = Take(h);
        p.Q = Take(h);
        p.DP = Take(h);
        p.DQ = Take(h);
        p.InverseQ = Take(h);
        return p;
    }
}
