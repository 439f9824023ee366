using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using WarpDrive.Abi.Uacce;
using WarpDrive.Discovery;
using WarpDrive.Drivers;
using WarpDrive.TestSupport.HisiHpre;

namespace WarpDrive.Tests.Uacce;

/// <summary>The HPRE device model driven by hand, as a driver drives the hardware: SQEs written into the queue, the
/// doorbell rung, the result read back from the slot. What the engine cannot run gets a non-zero error type and the
/// done field 3, never a crash, and the queue goes on.</summary>
public sealed unsafe class HisiHpreModelTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("hisi-hpre-").FullName;
    private readonly HisiHpreModel _model = new();
    private readonly byte[] _memory = GC.AllocateArray<byte>(8192, pinned: true);

    public HisiHpreModelTests() => _model.Publish(Path.Combine(_root, "class", "uacce"), Path.Combine(_root, "dev"));

    private ulong Address(int offset) => (ulong)Marshal.UnsafeAddrOfPinnedArrayElement(_memory, offset);

    private HisiQmQueue Open(ushort qcType)
    {
        WdDeviceInfo info = Assert.Single(KernelDeviceDirectory.Read(Path.Combine(_root, "class", "uacce")));
        return HisiQmQueue.Start(_model.Open(Path.Combine(_root, "dev", _model.Name)), info, qcType, HisiHpreSqe.Size);
    }

    private static HisiHpreSqe Run(HisiQmQueue queue, HisiHpreSqe sqe)
    {
        sqe.Tag = 0x1234;
        queue.Enqueue(in sqe);
        Assert.True(queue.RingSq());
        var clock = Stopwatch.StartNew();
        int slot;
        while (!queue.TryPeek(out slot))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), "no completion within 30 s");
            queue.Wait(TimeSpan.FromMilliseconds(10));
        }

        HisiHpreSqe result = queue.Slot<HisiHpreSqe>(slot);
        queue.Advance();
        Assert.Equal(0x1234ul, result.Tag);
        Assert.Equal(HisiHpreSqe.TaskDone, result.Done);
        return result;
    }

    private HisiHpreSqe Task(HisiHpreAlgorithm algorithm, int operandBytes, bool key = true, bool input = true) => new()
    {
        Dw0 = HisiHpreSqe.Submitted(algorithm),
        Dw1 = HisiHpreSqe.TaskLength(operandBytes),
        KeyAddress = key ? Address(0) : 0,
        InputAddress = input ? Address(4096) : 0,
        OutputAddress = Address(6144),
    };

    /// <summary>Writes <paramref name="value"/> as an operand of <paramref name="length"/> bytes: big-endian, leading zeros.</summary>
    private void Put(int offset, ReadOnlySpan<byte> value, int length)
    {
        _memory.AsSpan(offset, length).Clear();
        value.CopyTo(_memory.AsSpan(offset + length - value.Length, value.Length));
    }

    [Fact]
    public void TasksTheEngineCannotRunGetAnErrorTypeAndTheQueueGoesOn()
    {
        using var rsa = RSA.Create(1024);
        RSAParameters p = rsa.ExportParameters(true);
        Put(0, p.Exponent, 128); // e||n
        Put(128, p.Modulus, 128);
        Put(4096, [2], 128); // m = 2
        HisiQmQueue rsaDh = Open(0), ecc = Open(1);

        Assert.NotEqual(0u, Run(ecc, Task(HisiHpreAlgorithm.RsaNoCrt, 128)).ErrorType); // an RSA task on an ECC queue
        Assert.NotEqual(0u, Run(rsaDh, Task(HisiHpreAlgorithm.EcdhMultiply, 32)).ErrorType); // and the other way
        Assert.NotEqual(0u, Run(rsaDh, Task(HisiHpreAlgorithm.RsaNoCrt, 128, key: false)).ErrorType); // no key
        Assert.NotEqual(0u, Run(rsaDh, Task(HisiHpreAlgorithm.RsaKeyGenCrt, 128)).ErrorType); // not modelled
        Assert.NotEqual(0u, Run(rsaDh, Task((HisiHpreAlgorithm)0x1f, 128)).ErrorType); // no such task
        Assert.NotEqual(0u, Run(rsaDh, Task(HisiHpreAlgorithm.RsaNoCrt, 1024)).ErrorType); // 8192-bit operands
        HisiHpreSqe undone = Task(HisiHpreAlgorithm.RsaNoCrt, 128);
        undone.Dw0 &= ~(HisiHpreSqe.DoneMask << HisiHpreSqe.DoneShift); // not submitted as HPRE_HW_TASK_INIT
        Assert.NotEqual(0u, Run(rsaDh, undone).ErrorType);

        // An input not below n, then an even modulus.
        Put(4096, p.Modulus, 128);
        Assert.NotEqual(0u, Run(rsaDh, Task(HisiHpreAlgorithm.RsaNoCrt, 128)).ErrorType);
        Put(4096, [2], 128);
        _memory[255] &= 0xfe;
        Assert.NotEqual(0u, Run(rsaDh, Task(HisiHpreAlgorithm.RsaNoCrt, 128)).ErrorType);

        // A well-formed task still runs: 2^e mod n.
        Put(128, p.Modulus, 128);
        HisiHpreSqe ok = Run(rsaDh, Task(HisiHpreAlgorithm.RsaNoCrt, 128));
        Assert.Equal((0u, 0u), (ok.ErrorType, ok.ErrorType1));
        var n = new BigInteger(p.Modulus, isUnsigned: true, isBigEndian: true);
        Assert.Equal(BigInteger.ModPow(2, new BigInteger(p.Exponent, isUnsigned: true, isBigEndian: true), n),
            new BigInteger(_memory.AsSpan(6144, 128), isUnsigned: true, isBigEndian: true));
    }

    [Fact]
    public void EccOperandsOffTheCurveOrOutOfRangeAreRefused()
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        ECParameters e = ecdsa.ExportExplicitParameters(includePrivateParameters: true);
        ECCurve c = e.Curve;
        byte[][] privateKey = [c.Prime!, c.A!, e.D!, c.B!, c.Order!, c.G.X!, c.G.Y!];
        for (int i = 0; i < privateKey.Length; i++)
        {
            Put(32 * i, privateKey[i], 32);
        }

        HisiQmQueue ecc = Open(1);
        Put(4096, c.G.X, 32); // d·G: the public key
        Put(4128, c.G.Y, 32);
        HisiHpreSqe ok = Run(ecc, Task(HisiHpreAlgorithm.EcdhMultiply, 32));
        Assert.Equal(0u, ok.ErrorType);
        Assert.Equal(e.Q.X, _memory.AsSpan(6144, 32).ToArray());
        Assert.Equal(e.Q.Y, _memory.AsSpan(6176, 32).ToArray());

        _memory[4159] ^= 1; // y no longer on the curve
        Assert.NotEqual(0u, Run(ecc, Task(HisiHpreAlgorithm.EcdhMultiply, 32)).ErrorType);

        // X25519 with u = 0 (UADK refuses it before the engine; the model refuses it too).
        _memory.AsSpan(4096, 32).Clear();
        Assert.NotEqual(0u, Run(ecc, Task(HisiHpreAlgorithm.XdhMultiply, 32)).ErrorType);

        // An ECDSA verification whose r is 0 runs and fails: the result bit stays clear.
        var verify = Task(HisiHpreAlgorithm.EcdsaVerify, 32);
        byte[][] publicKey = [c.Prime!, c.A!, c.B!, c.Order!, c.G.X!, c.G.Y!, e.Q.X!, e.Q.Y!];
        for (int i = 0; i < publicKey.Length; i++)
        {
            Put(32 * i, publicKey[i], 32);
        }

        _memory.AsSpan(4096, 96).Clear();
        _memory[4127] = 1; // e = 1, s = 0, r = 0
        HisiHpreSqe failed = Run(ecc, verify);
        Assert.Equal((0u, 0ul), (failed.ErrorType, failed.OutputAddress & HisiHpreSqe.VerifyPassed));
    }

    public void Dispose()
    {
        _model.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
