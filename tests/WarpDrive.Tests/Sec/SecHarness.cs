using System.Runtime.InteropServices;
using WarpDrive.Abi;

namespace WarpDrive.Tests.Sec;

/// <summary>What one SEC request returned: its completion and the whole destination buffer after it.</summary>
public sealed record SecResult(Cqe Cqe, byte[] Destination)
{
    public CompletionStatus Status => Cqe.Status;

    /// <summary>The first <c>Produced</c> bytes of the destination.</summary>
    public byte[] Output => Destination[..(int)Cqe.Produced];
}

/// <summary>A real in-process SEC device behind a raw queue, and one pinned, shared arena from which each request's
/// parameter block, key, IV, AAD, source and destination are laid out.</summary>
public sealed class SecHarness : IDisposable
{
    public const int ArenaSize = 8 << 20;
    private readonly WdRuntime _runtime;
    private readonly bool _ownsRuntime;
    private readonly byte[] _arena = GC.AllocateArray<byte>(ArenaSize, pinned: true);
    private readonly int _share;
    private int _used;
    private ulong _tag;

    public SecHarness()
        : this(new WdRuntime(new WdRuntimeOptions
        {
            MixMode = false, // requests go to the device under test, not to Mix mode's inline one
            EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 2, WorkerCount = 1, QueueDepth = 16 },
        }), ownsRuntime: true)
    {
    }

    /// <summary>A harness on the SEC device that <paramref name="runtime"/> picks for ciphers (the kernel's, in the
    /// Uacce tests).</summary>
    public SecHarness(WdRuntime runtime, bool ownsRuntime = false)
    {
        _runtime = runtime;
        _ownsRuntime = ownsRuntime;
        Queue = _runtime.RequestQueue("cipher");
        _share = Queue.Share(Base, ArenaSize);
    }

    public WdQueue Queue { get; }

    /// <summary>The runtime whose embedded SEC device serves <see cref="Queue"/>.</summary>
    public WdRuntime Runtime => _runtime;

    public nint Base => Marshal.UnsafeAddrOfPinnedArrayElement(_arena, 0);

    public void Dispose()
    {
        Queue.Unshare(_share);
        Queue.Dispose();
        if (_ownsRuntime)
        {
            _runtime.Dispose();
        }
    }

    /// <summary>Forgets every buffer laid out so far.</summary>
    public void Reset() => _used = 0;

    /// <summary>Room for <paramref name="length"/> bytes (64-byte aligned), filled with <paramref name="fill"/>.</summary>
    public ulong Alloc(int length, byte fill = 0)
    {
        int start = (_used + 63) & ~63;
        Assert.True(start + length <= ArenaSize, "test arena exhausted");
        _used = start + length;
        _arena.AsSpan(start, length).Fill(fill);
        return (ulong)(Base + start);
    }

    public ulong Put(ReadOnlySpan<byte> data)
    {
        ulong address = Alloc(data.Length);
        data.CopyTo(At(address, data.Length));
        return address;
    }

    public Span<byte> At(ulong address, int length) => _arena.AsSpan((int)((nint)address - Base), length);

    /// <summary>A <see cref="CryptoParams"/> block naming <paramref name="key"/>, <paramref name="iv"/> and
    /// <paramref name="aad"/> (absent: address and length zero).</summary>
    public ulong Params(byte[]? key, byte[]? iv = null, byte[]? aad = null, uint tagLength = 0)
    {
        var p = new CryptoParams { TagLen = tagLength };
        if (key is not null)
        {
            p.Key = Put(key);
            p.KeyLen = (uint)key.Length;
        }

        if (iv is not null)
        {
            p.Iv = Put(iv);
            p.IvLen = (uint)iv.Length;
        }

        if (aad is not null)
        {
            p.Aad = Put(aad);
            p.AadLen = (uint)aad.Length;
        }

        return Put(MemoryMarshal.AsBytes(new ReadOnlySpan<CryptoParams>(in p)));
    }

    public Cqe Submit(Sqe sqe)
    {
        sqe.UserData = ++_tag;
        Assert.True(Queue.TrySend(in sqe));
        Queue.Flush();
        Assert.True(Queue.TryReceive(out Cqe cqe, TimeSpan.FromSeconds(10)), "no completion within 10 s");
        Assert.Equal(sqe.UserData, cqe.UserData);
        return cqe;
    }

    /// <summary>Submits <paramref name="sqe"/> with a fresh destination of <paramref name="dstLength"/> bytes (filled
    /// with 0xEE to see what the device wrote) and returns the destination after it.</summary>
    public SecResult Run(Sqe sqe, int dstLength)
    {
        ulong dst = Alloc(dstLength, 0xEE);
        sqe.Dst = dst;
        sqe.DstLen = (uint)dstLength;
        Cqe cqe = Submit(sqe);
        return new SecResult(cqe, At(dst, dstLength).ToArray());
    }

    public SecResult Cipher(Opcode opcode, CipherAlgorithm algorithm, byte[] key, byte[]? iv, byte[] input, int? dstLength = null)
    {
        Reset();
        var sqe = new Sqe
        {
            Opcode = opcode,
            Algorithm = (byte)algorithm,
            Params = Params(key, iv),
            Src = Put(input),
            SrcLen = (uint)input.Length,
        };
        return Run(sqe, dstLength ?? input.Length);
    }

    public byte[] Encrypt(CipherAlgorithm algorithm, byte[] key, byte[]? iv, byte[] input) => Ok(Cipher(Opcode.CipherEncrypt, algorithm, key, iv, input));

    public byte[] Decrypt(CipherAlgorithm algorithm, byte[] key, byte[]? iv, byte[] input) => Ok(Cipher(Opcode.CipherDecrypt, algorithm, key, iv, input));

    public SecResult Digest(DigestAlgorithm algorithm, DigestMode mode, byte[]? key, byte[] input, int dstLength = 64)
    {
        Reset();
        var sqe = new Sqe
        {
            Opcode = Opcode.Digest,
            Algorithm = (byte)algorithm,
            Mode = (byte)mode,
            Params = key is null ? 0 : Params(key),
            Src = Put(input),
            SrcLen = (uint)input.Length,
        };
        return Run(sqe, dstLength);
    }

    public SecResult Aead(Opcode opcode, AeadAlgorithm algorithm, byte[] key, byte[] nonce, byte[]? aad, int tagLength, byte[] input,
        int? dstLength = null)
    {
        Reset();
        var sqe = new Sqe
        {
            Opcode = opcode,
            Algorithm = (byte)algorithm,
            Params = Params(key, nonce, aad, (uint)tagLength),
            Src = Put(input),
            SrcLen = (uint)input.Length,
        };
        return Run(sqe, dstLength ?? (opcode == Opcode.AeadEncrypt ? input.Length + tagLength : Math.Max(input.Length - tagLength, 0)));
    }

    /// <summary>The request's output; fails the test unless it completed OK.</summary>
    public static byte[] Ok(SecResult result)
    {
        Assert.Equal(CompletionStatus.Ok, result.Status);
        return result.Output;
    }

    public static byte[] Hex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

    public static string ToHex(byte[] data) => Convert.ToHexStringLower(data);
}
