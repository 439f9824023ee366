using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;
using WarpDrive.Discovery;
using WarpDrive.Queues;

namespace WarpDrive.Drivers;

/// <summary>The user driver for HiSilicon HPRE queues of the kernel (hisi_hpre; UADK's <c>drv/hisi_hpre.c</c>):
/// libwd's RSA, DH and ECC requests become 64-byte HPRE SQEs (<see cref="HisiHpreSqe"/>) whose operands the driver lays
/// out in the engine's format (big-endian, each padded to the operand size) in memory of its own per SQ slot
/// (<see cref="HisiHpreOperands"/>); the done field and error types written back become <see cref="Cqe"/>s. Two
/// hardware queues, as UADK opens them: <c>qc_type</c> 0 for RSA and DH, 1 for ECC (only where the device lists an ECC
/// algorithm: Kunpeng 920's HPRE lists <c>rsa</c> and <c>dh</c> alone).</summary>
/// <remarks>
/// <para>On the engine: RSA of 1024 to 4096 bits (a multiple of 64), as UADK drives it: raw modular exponentiation
/// (<c>HPRE_ALG_NC_NCRT</c> with e||n or d||n, <c>HPRE_ALG_NC_CRT</c> with dq||dp||q||p||qinv), the paddings done
/// here in software around it (PKCS#1 v1.5 signature, verification, encryption and decryption, OAEP without a label,
/// PSS: <see cref="HisiHpreRsaPadding"/>); finite-field DH of 768
/// to 4096 bits (<c>HPRE_ALG_DH</c>, <c>HPRE_ALG_DH_G2</c> for the generator 2); ECDH and ECDSA on P-256, P-384 and
/// P-521 (<c>HPRE_ALG_ECDH_MULTIPLY</c>, <c>HPRE_ALG_ECDSA_SIGN</c> with a nonce drawn here, <c>HPRE_ALG_ECDSA_VERF</c>)
/// and X25519 (<c>HPRE_ALG_X_DH_MULTIPLY</c>), each where the device lists it.</para>
/// <para>What goes to the software device (<see cref="SoftwareFallback"/>), counted in the meter: OAEP with a label,
/// RSA key generation, SM2 (the engine needs the SM3 pre-hash, which this runtime lacks), Ed25519 (no engine task), ECC key
/// generation, and every request the engine would not answer as software does: a malformed one, a key or input out of
/// range, a peer point off its curve, an ECC algorithm the device does not list. Software checks them and gives the
/// same answer as every other device.</para>
/// </remarks>
internal sealed unsafe class HisiHpreDriver : QueueDriver
{
    private const int RsaDh = 0, Ecc = 1;
    private const int MaxStreamCount = 32; // no HPRE request is a stream; the inline queue's limit, as the SEC driver's
    private const int Pkcs1Overhead = 11; // RFC 8017: 00 02 PS(8 or more) 00
    private static readonly TimeSpan s_sliceWhenBoth = TimeSpan.FromMilliseconds(1);

    // RFC 8017 section 9.2, note 1: the DER DigestInfo prefixes of EMSA-PKCS1-v1_5.
    private static readonly byte[] s_sha1Info = [0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14];
    private static readonly byte[] s_sha256Info = [0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20];
    private static readonly byte[] s_sha384Info = [0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30];
    private static readonly byte[] s_sha512Info = [0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40];

    private readonly HisiQmQueue?[] _queues;
    private readonly Pending[][] _pending;
    private readonly HisiHpreOperands?[] _operands;
    private readonly LocalCompletions _local = new();
    private readonly SoftwareFallback _software;
    private readonly bool _ecdh, _ecdsa, _x25519;
    private readonly bool[] _unrung = new bool[2];
    private ushort _nextTag;
    private uint _errors;
    private long _engineDone;

    /// <summary>A driver on started queues of <paramref name="device"/>: <paramref name="rsaDh"/> (<c>qc_type</c> 0)
    /// and <paramref name="ecc"/> (<c>qc_type</c> 1; null where the device lists no ECC algorithm);
    /// <paramref name="openSoftware"/> opens the software queue for what the engine lacks.</summary>
    public HisiHpreDriver(WdDeviceInfo device, HisiQmQueue rsaDh, HisiQmQueue? ecc, Func<QueueTransport?> openSoftware)
    {
        _queues = [rsaDh, ecc];
        _pending = [new Pending[rsaDh.Depth], new Pending[ecc?.Depth ?? 0]];
        _operands = [new HisiHpreOperands(rsaDh.Depth), ecc is null ? null : new HisiHpreOperands(ecc.Depth)];
        _software = new SoftwareFallback(device, openSoftware);
        _ecdh = ecc is not null && device.Supports("ecdh");
        _ecdsa = ecc is not null && device.Supports("ecdsa");
        _x25519 = ecc is not null && device.Supports("x25519");
    }

    /// <summary>The RSA and DH queue (tests).</summary>
    internal HisiQmQueue RsaDhQueue => _queues[RsaDh]!;

    /// <summary>The ECC queue, null where the device has none (tests).</summary>
    internal HisiQmQueue? EccQueue => _queues[Ecc];

    /// <summary>Requests sent to software (tests).</summary>
    internal long SoftwareRequests => _software.Count;

    /// <summary>Requests the engine completed successfully (tests: the hardware tier checks that a request ran there).</summary>
    internal long EngineRequests => Interlocked.Read(ref _engineDone);

    public override uint QueueId => _queues[RsaDh]!.Id;

    // Each hardware queue keeps one slot empty; a context's requests may all go to one.
    public override int Depth => Math.Min(Room(_queues[RsaDh]!), _queues[Ecc] is { } ecc ? Room(ecc) : int.MaxValue);

    public override int MaxStreams => MaxStreamCount;

    public override QueueState State => _queues[RsaDh]!.IsStopped || (_queues[Ecc]?.IsStopped ?? false) ? QueueState.Disabled : QueueState.Started;

    public override QueueDisableReason DisableReason =>
        State == QueueState.Disabled ? QueueDisableReason.KernelStopped : QueueDisableReason.None;

    public override uint ErrorCount => Volatile.Read(ref _errors);

    private static int Room(HisiQmQueue queue) => Math.Min(queue.Depth, queue.CqDepth) - 1;

    public override bool TryPublish(in Sqe sqe)
    {
        int which = sqe.Opcode is >= Opcode.EccSign and <= Opcode.EccDecrypt ? Ecc : RsaDh;
        HisiQmQueue? queue = _queues[which];
        // The operands go to the tail slot's memory even when the queue turns out full: that slot is never in flight
        // (one slot always stays empty), and the next try writes them again.
        if (queue is null || !TryBuild(in sqe, _operands[which]!, queue.NextSlot, out HisiHpreSqe hw, out Pending pending))
        {
            return _software.TrySendOrRefuse(in sqe, _local, ref _errors);
        }

        if (!queue.HasRoom)
        {
            _operands[which]!.Scrub(queue.NextSlot);
            return false;
        }

        ushort tag = ++_nextTag == 0 ? ++_nextTag : _nextTag; // 0 marks a free slot
        hw.Tag = tag;
        pending.Tag = tag;
        _pending[which][queue.NextSlot] = pending;
        queue.Enqueue(in hw);
        _unrung[which] = true;
        return true;
    }

    /// <summary>The SQE of a request the engine takes, its operands written into <paramref name="slot"/>'s memory;
    /// false for one that goes to software.</summary>
    private bool TryBuild(in Sqe sqe, HisiHpreOperands memory, int slot, out HisiHpreSqe hw, out Pending pending)
    {
        hw = default;
        pending = new Pending { UserData = sqe.UserData, Destination = sqe.Dst, DestinationLength = sqe.DstLen };
        if (sqe.Flags != SqeFlags.None || sqe.StreamId != 0 || sqe.Arg != 0 || sqe.Reserved0 != 0 || sqe.Reserved3 != 0 || sqe.Params == 0)
        {
            return false;
        }

        CryptoParams p = *(CryptoParams*)sqe.Params; // read once: the client may rewrite it
        if (p.Reserved0 != 0 || p.Reserved1 != 0 || p.Iv != 0 || p.IvLen != 0 || p.TagLen != 0 || p.Aad != 0 || p.AadLen != 0
            || p.Key == 0 || p.KeyLen is 0 or > CryptoParams.MaxFieldLength || sqe.SrcLen > CryptoParams.MaxFieldLength
            || p.AuxLen > CryptoParams.MaxFieldLength || (sqe.Src == 0) != (sqe.SrcLen == 0) || (p.Aux == 0) != (p.AuxLen == 0))
        {
            return false;
        }

        bool built = sqe.Opcode switch
        {
            Opcode.RsaEncrypt or Opcode.RsaDecrypt or Opcode.RsaSign or Opcode.RsaVerify => TryBuildRsa(in sqe, in p, memory, slot, ref hw, ref pending),
            Opcode.DhCompute => TryBuildDh(in sqe, in p, memory, slot, ref hw, ref pending),
            Opcode.EccAgree or Opcode.EccSign or Opcode.EccVerify => TryBuildEcc(in sqe, in p, memory, slot, ref hw, ref pending),
            _ => false,
        };
        if (!built)
        {
            memory.Scrub(slot); // a private key may be half written
        }

        return built;
    }

    private static ReadOnlySpan<byte> Span(ulong address, uint length) => new((void*)address, (int)length);

    private static bool TryBuildRsa(in Sqe sqe, in CryptoParams p, HisiHpreOperands memory, int slot, ref HisiHpreSqe hw, ref Pending pending)
    {
        var padding = (RsaPadding)sqe.Mode;
        var hash = (DigestAlgorithm)sqe.Hash;
        if (sqe.Algorithm != 0 || !RsaKeyBlob.TryRead(Span(p.Key, p.KeyLen), out RsaKeyBlob key))
        {
            return false;
        }

        int k = key.ModulusBytes;
        ReadOnlySpan<byte> n = key[RsaKeyField.Modulus];
        if (k is < 128 or > 512 || k % 8 != 0 || n[0] == 0 || (n[^1] & 1) == 0)
        {
            return false; // the engine's sizes are 1024 to 4096 bits in whole words; software judges any other key
        }

        bool publicOperation = sqe.Opcode is Opcode.RsaEncrypt or Opcode.RsaVerify;
        Span<byte> input = memory.Input(slot)[..k];
        switch (sqe.Opcode)
        {
            case Opcode.RsaEncrypt when padding == RsaPadding.Raw && hash == 0 && sqe.SrcLen == k && p.Aux == 0:
                if (!HisiHpreOperands.IsBelow(Span(sqe.Src, sqe.SrcLen), n))
                {
                    return false;
                }

                Span(sqe.Src, sqe.SrcLen).CopyTo(input);
                pending.Kind = Completion.Direct;
                break;
            case Opcode.RsaEncrypt when padding == RsaPadding.Pkcs1 && hash == 0 && sqe.SrcLen <= k - Pkcs1Overhead && p.Aux == 0:
                // EME-PKCS1-v1_5: 00 02 PS 00 M, PS random and non-zero.
                int psLength = k - 3 - (int)sqe.SrcLen;
                input[0] = 0;
                input[1] = 2;
                Span<byte> ps = input.Slice(2, psLength);
                RandomNumberGenerator.Fill(ps);
                for (int i = 0; i < ps.Length; i++)
                {
                    while (ps[i] == 0)
                    {
                        RandomNumberGenerator.Fill(ps.Slice(i, 1));
                    }
                }

                input[2 + psLength] = 0;
                Span(sqe.Src, sqe.SrcLen).CopyTo(input[(3 + psLength)..]);
                pending.Kind = Completion.Direct;
                break;
            case Opcode.RsaEncrypt when padding == RsaPadding.Oaep && p.Aux == 0:
                // The key field is free until the key goes in below: MGF1's scratch.
                if (!HisiHpreRsaPadding.TryEncodeOaep(hash, Span(sqe.Src, sqe.SrcLen), input, memory.Key(slot)))
                {
                    return false;
                }

                pending.Kind = Completion.Direct;
                break;
            case Opcode.RsaDecrypt when (padding is RsaPadding.Raw or RsaPadding.Pkcs1 ? hash == 0 : padding == RsaPadding.Oaep && HisiHpreRsaPadding.HashSize(hash) != 0)
                    && sqe.SrcLen == k && p.Aux == 0:
                if (!HisiHpreOperands.IsBelow(Span(sqe.Src, sqe.SrcLen), n))
                {
                    return false; // software answers: BAD_REQUEST raw, AUTH_FAILED under a padding
                }

                Span(sqe.Src, sqe.SrcLen).CopyTo(input);
                pending.Kind = padding switch
                {
                    RsaPadding.Raw => Completion.Direct,
                    RsaPadding.Pkcs1 => Completion.Pkcs1Decrypt,
                    _ => Completion.OaepDecrypt,
                };
                pending.Hash = hash;
                break;
            case Opcode.RsaSign when padding == RsaPadding.Pss && p.Aux == 0:
                if (!HisiHpreRsaPadding.TryEncodePss(hash, Span(sqe.Src, sqe.SrcLen), n[0], input, memory.Key(slot)))
                {
                    return false;
                }

                pending.Kind = Completion.Direct;
                break;
            case Opcode.RsaVerify when padding == RsaPadding.Pss && sqe.Dst == 0 && sqe.DstLen == 0 && p.AuxLen == k:
                if (!HisiHpreOperands.IsBelow(Span(p.Aux, p.AuxLen), n) || HisiHpreRsaPadding.HashSize(hash) is 0 || sqe.SrcLen != HisiHpreRsaPadding.HashSize(hash))
                {
                    return false;
                }

                Span(sqe.Src, sqe.SrcLen).CopyTo(memory.Scratch(slot)); // the digest, for the check after the engine
                Span(p.Aux, p.AuxLen).CopyTo(input);
                pending.Kind = Completion.PssVerify;
                pending.Hash = hash;
                pending.ModulusTop = n[0];
                break;
            case Opcode.RsaSign when padding == RsaPadding.Pkcs1 && p.Aux == 0:
                if (!TryEncodeSignature(hash, Span(sqe.Src, sqe.SrcLen), input))
                {
                    return false;
                }

                pending.Kind = Completion.Direct;
                break;
            case Opcode.RsaVerify when padding == RsaPadding.Pkcs1 && sqe.Dst == 0 && sqe.DstLen == 0 && p.AuxLen == k:
                if (!HisiHpreOperands.IsBelow(Span(p.Aux, p.AuxLen), n)
                    || !TryEncodeSignature(hash, Span(sqe.Src, sqe.SrcLen), memory.Scratch(slot)[..k]))
                {
                    return false;
                }

                Span(p.Aux, p.AuxLen).CopyTo(input);
                pending.Kind = Completion.Pkcs1Verify;
                break;
            default:
                return false; // an OAEP label, or a request software will refuse
        }

        if (!publicOperation && key.Format == RsaKeyFormat.Public)
        {
            return false;
        }

        // The output: straight into the destination for a whole k bytes, else the slot's field.
        if (pending.Kind == Completion.Direct)
        {
            if (sqe.DstLen < k)
            {
                return false; // OUT_OF_SPACE: software says so
            }

            hw.OutputAddress = sqe.Dst;
            pending.Produced = (uint)k;
        }
        else
        {
            hw.OutputAddress = memory.OutputAddress(slot);
        }

        Span<byte> keyField = memory.Key(slot);
        HisiHpreAlgorithm algorithm = HisiHpreAlgorithm.RsaNoCrt;
        if (publicOperation)
        {
            key[RsaKeyField.PublicExponent].CopyTo(keyField[..k]); // e||n
            n.CopyTo(keyField.Slice(k, k));
        }
        else if (key.Format == RsaKeyFormat.PrivateCrt)
        {
            // dq||dp||q||p||qinv, each k/2 bytes (UADK's fill_rsa_crt_prikey2).
            int half = k / 2;
            ReadOnlySpan<RsaKeyField> order = [RsaKeyField.DQ, RsaKeyField.DP, RsaKeyField.Q, RsaKeyField.P, RsaKeyField.InverseQ];
            for (int i = 0; i < order.Length; i++)
            {
                if (!HisiHpreOperands.WriteFixed(key[order[i]], keyField.Slice(i * half, half)))
                {
                    return false;
                }
            }

            algorithm = HisiHpreAlgorithm.RsaCrt;
        }
        else
        {
            key[RsaKeyField.PrivateExponent].CopyTo(keyField[..k]); // d||n
            n.CopyTo(keyField.Slice(k, k));
        }

        hw.Dw0 = HisiHpreSqe.Submitted(algorithm);
        hw.Dw1 = HisiHpreSqe.TaskLength(k);
        hw.KeyAddress = memory.KeyAddress(slot);
        hw.InputAddress = memory.InputAddress(slot);
        pending.Length = (uint)k;
        return true;
    }

    /// <summary>EMSA-PKCS1-v1_5 (RFC 8017 9.2) of a digest into <paramref name="encoded"/> (k bytes): 00 01 FF.. 00
    /// DigestInfo; false for a hash or length it does not take.</summary>
    private static bool TryEncodeSignature(DigestAlgorithm hash, ReadOnlySpan<byte> digest, Span<byte> encoded)
    {
        byte[]? info = hash switch
        {
            DigestAlgorithm.Sha1 => s_sha1Info,
            DigestAlgorithm.Sha256 => s_sha256Info,
            DigestAlgorithm.Sha384 => s_sha384Info,
            DigestAlgorithm.Sha512 => s_sha512Info,
            _ => null,
        };
        if (info is null || digest.Length != info[^1] || encoded.Length < info.Length + digest.Length + Pkcs1Overhead)
        {
            return false;
        }

        int t = info.Length + digest.Length;
        encoded[0] = 0;
        encoded[1] = 1;
        encoded[2..^(t + 1)].Fill(0xff);
        encoded[^(t + 1)] = 0;
        info.CopyTo(encoded[^t..]);
        digest.CopyTo(encoded[^digest.Length..]);
        return true;
    }

    private static bool TryBuildDh(in Sqe sqe, in CryptoParams p, HisiHpreOperands memory, int slot, ref HisiHpreSqe hw, ref Pending pending)
    {
        // Software's checks (HpreDh): p of 768 to 4096 bits with no leading zero byte and odd, 0 < x, 1 < base < p - 1;
        // the engine's: p in whole 64-bit words.
        uint k = p.AuxLen;
        if (sqe.Algorithm != 0 || sqe.Mode != 0 || sqe.Hash != 0 || k is < 96 or > 512 || k % 8 != 0 || p.KeyLen > k
            || sqe.SrcLen is 0 || sqe.SrcLen > k || sqe.DstLen < k)
        {
            return false;
        }

        ReadOnlySpan<byte> prime = Span(p.Aux, k), exponent = Span(p.Key, p.KeyLen), value = Span(sqe.Src, sqe.SrcLen);
        if (prime[0] == 0 || (k == 96 && prime[0] < 0x80) || (prime[^1] & 1) == 0 || !exponent.ContainsAnyExcept((byte)0))
        {
            return false;
        }

        Span<byte> keyField = memory.Key(slot), input = memory.Input(slot)[..(int)k];
        HisiHpreOperands.WriteFixed(value, input);
        Span<byte> primeMinusOne = memory.Scratch(slot)[..(int)k];
        prime.CopyTo(primeMinusOne);
        primeMinusOne[^1]--; // p is odd: no borrow
        bool two = input[..^1].IndexOfAnyExcept((byte)0) < 0 && input[^1] == 2;
        if (!HisiHpreOperands.IsBelow(input, primeMinusOne) || (input[..^1].IndexOfAnyExcept((byte)0) < 0 && input[^1] <= 1))
        {
            return false; // a base of 0, 1, p - 1 or beyond
        }

        HisiHpreOperands.WriteFixed(exponent, keyField[..(int)k]); // x||p
        prime.CopyTo(keyField.Slice((int)k, (int)k));
        hw.Dw0 = HisiHpreSqe.Submitted(two ? HisiHpreAlgorithm.DhG2 : HisiHpreAlgorithm.Dh);
        hw.Dw1 = HisiHpreSqe.TaskLength((int)k);
        hw.KeyAddress = memory.KeyAddress(slot);
        hw.InputAddress = two ? 0 : memory.InputAddress(slot); // G2: the engine knows its input
        hw.OutputAddress = sqe.Dst;
        pending.Kind = Completion.Direct;
        pending.Length = k;
        pending.Produced = k;
        return true;
    }

    private bool TryBuildEcc(in Sqe sqe, in CryptoParams p, HisiHpreOperands memory, int slot, ref HisiHpreSqe hw, ref Pending pending)
    {
        var curve = (EccCurve)sqe.Algorithm;
        HisiHpreCurves? c = HisiHpreCurves.Get(curve);
        if (c is null || sqe.Mode != 0 || sqe.Hash != 0)
        {
            return false;
        }

        bool built = (sqe.Opcode, curve) switch
        {
            (Opcode.EccAgree, EccCurve.X25519) => _x25519 && TryBuildX25519(in sqe, in p, c, memory, slot, ref hw, ref pending),
            (Opcode.EccAgree, _) when curve != EccCurve.X25519 => _ecdh && TryBuildEcdh(in sqe, in p, c, memory, slot, ref hw, ref pending),
            (Opcode.EccSign, _) when curve != EccCurve.X25519 => _ecdsa && TryBuildEcdsaSign(in sqe, in p, c, memory, slot, ref hw, ref pending),
            (Opcode.EccVerify, _) when curve != EccCurve.X25519 => _ecdsa && TryBuildEcdsaVerify(in sqe, in p, c, memory, slot, ref hw, ref pending),
            _ => false,
        };
        if (built)
        {
            // Every task but a verification writes its result to the slot's output field, where the driver reads it.
            hw.OutputAddress = pending.Kind == Completion.EcdsaVerify ? 0 : memory.OutputAddress(slot);
            hw.Dw1 = HisiHpreSqe.TaskLength(c.OperandBytes);
            hw.KeyAddress = memory.KeyAddress(slot);
            hw.InputAddress = memory.InputAddress(slot);
            pending.Length = (uint)c.OperandBytes;
                pending.Field = (byte)c.FieldBytes;
        }

        return built;
    }

    /// <summary>The private key in the engine's layout: p, a, d, b, n, gx, gy (UADK's <c>wd_ecc_prikey</c>).</summary>
    private static void WritePrivateKey(HisiHpreCurves c, ReadOnlySpan<byte> d, Span<byte> key)
    {
        int h = c.OperandBytes;
        c.P.CopyTo(key);
        c.A.CopyTo(key[h..]);
        HisiHpreOperands.WriteFixed(d, key.Slice(2 * h, h));
        c.B.CopyTo(key[(3 * h)..]);
        c.N.CopyTo(key[(4 * h)..]);
        c.Gx.CopyTo(key[(5 * h)..]);
        c.Gy.CopyTo(key[(6 * h)..]);
    }

    private static bool TryBuildEcdh(in Sqe sqe, in CryptoParams p, HisiHpreCurves c, HisiHpreOperands memory, int slot, ref HisiHpreSqe hw,
        ref Pending pending)
    {
        int field = c.FieldBytes, h = c.OperandBytes;
        if (p.KeyLen != field || sqe.SrcLen != 1 + (2 * field) || p.Aux != 0 || sqe.DstLen < field)
        {
            return false;
        }

        ReadOnlySpan<byte> d = Span(p.Key, p.KeyLen), peer = Span(sqe.Src, sqe.SrcLen);
        ReadOnlySpan<byte> x = peer.Slice(1, field), y = peer.Slice(1 + field, field);
        if (peer[0] != 4 || !c.IsPrivateKey(d) || !c.IsOnCurve(x, y))
        {
            return false; // software answers: BAD_REQUEST, KEY_REJECTED
        }

        WritePrivateKey(c, d, memory.Key(slot));
        Span<byte> input = memory.Input(slot);
        HisiHpreOperands.WriteFixed(x, input[..h]);
        HisiHpreOperands.WriteFixed(y, input.Slice(h, h));
        hw.Dw0 = HisiHpreSqe.Submitted(HisiHpreAlgorithm.EcdhMultiply);
        pending.Kind = Completion.EcdhX;
        return true;
    }

    private static bool TryBuildX25519(in Sqe sqe, in CryptoParams p, HisiHpreCurves c, HisiHpreOperands memory, int slot, ref HisiHpreSqe hw,
        ref Pending pending)
    {
        if (p.KeyLen != 32 || sqe.SrcLen != 32 || p.Aux != 0 || sqe.DstLen < 32)
        {
            return false;
        }

        // RFC 7748 numbers are little-endian, the engine's big-endian (UADK's ecc_prepare_prikey and u_is_in_p): the
        // scalar reversed and clamped, u reversed with its top bit masked.
        Span<byte> key = memory.Key(slot), input = memory.Input(slot)[..32];
        c.P.CopyTo(key);
        c.A.CopyTo(key[32..]);
        Span<byte> d = key.Slice(64, 32);
        Span(p.Key, 32).CopyTo(d);
        d.Reverse();
        d[31] &= 248;
        d[0] &= 127;
        d[0] |= 64;
        Span(sqe.Src, 32).CopyTo(input);
        input.Reverse();
        input[0] &= 0x7f;
        if (!input.ContainsAnyExcept((byte)0) || !HisiHpreOperands.IsBelow(input, c.P))
        {
            return false; // u = 0, or not reduced: the engine refuses what software accepts (it reduces u mod p)
        }

        hw.Dw0 = HisiHpreSqe.Submitted(HisiHpreAlgorithm.XdhMultiply);
        pending.Kind = Completion.X25519;
        return true;
    }

    private static bool IsEcdsaHashLength(uint length) => length is 20 or 28 or 32 or 48 or 64;

    /// <summary>e for ECDSA: the digest's leftmost bits up to the order's size (FIPS 186-5 6.4.1), padded to the operand.</summary>
    private static bool WriteDigest(HisiHpreCurves c, ReadOnlySpan<byte> digest, Span<byte> e)
    {
        // The order has FieldBytes × 8 bits on P-256 and P-384; P-521's 521 bits exceed every digest taken here.
        ReadOnlySpan<byte> bits = digest.Length > c.FieldBytes ? digest[..c.FieldBytes] : digest;
        return HisiHpreOperands.WriteFixed(bits, e) && e.ContainsAnyExcept((byte)0);
    }

    private static bool TryBuildEcdsaSign(in Sqe sqe, in CryptoParams p, HisiHpreCurves c, HisiHpreOperands memory, int slot, ref HisiHpreSqe hw,
        ref Pending pending)
    {
        int field = c.FieldBytes, h = c.OperandBytes;
        if (p.KeyLen != field || !IsEcdsaHashLength(sqe.SrcLen) || p.Aux != 0 || sqe.DstLen < 2 * field)
        {
            return false;
        }

        ReadOnlySpan<byte> d = Span(p.Key, p.KeyLen);
        Span<byte> input = memory.Input(slot);
        if (!c.IsPrivateKey(d) || !WriteDigest(c, Span(sqe.Src, sqe.SrcLen), input[..h]))
        {
            return false; // software answers BAD_REQUEST; a zero digest the engine refuses (UADK's is_all_zero)
        }

        // The nonce k, uniform in [1, n - 1]: random bits to the order's top byte's, drawn again until below n.
        Span<byte> nonce = input.Slice(h, h)[(h - field)..];
        ReadOnlySpan<byte> n = c.N.AsSpan(h - field);
        byte topMask = (byte)((1 << (32 - System.Numerics.BitOperations.LeadingZeroCount((uint)n[0]))) - 1);
        do
        {
            RandomNumberGenerator.Fill(nonce);
            nonce[0] &= topMask;
        }
        while (!nonce.ContainsAnyExcept((byte)0) || !HisiHpreOperands.IsBelow(nonce, n));

        WritePrivateKey(c, d, memory.Key(slot));
        hw.Dw0 = HisiHpreSqe.Submitted(HisiHpreAlgorithm.EcdsaSign);
        pending.Kind = Completion.EcdsaSign;
        return true;
    }

    private static bool TryBuildEcdsaVerify(in Sqe sqe, in CryptoParams p, HisiHpreCurves c, HisiHpreOperands memory, int slot, ref HisiHpreSqe hw,
        ref Pending pending)
    {
        int field = c.FieldBytes, h = c.OperandBytes;
        if (p.KeyLen != 1 + (2 * field) || !IsEcdsaHashLength(sqe.SrcLen) || p.AuxLen != 2 * field || sqe.Dst != 0 || sqe.DstLen != 0)
        {
            return false;
        }

        ReadOnlySpan<byte> q = Span(p.Key, p.KeyLen), signature = Span(p.Aux, p.AuxLen);
        ReadOnlySpan<byte> x = q.Slice(1, field), y = q.Slice(1 + field, field);
        Span<byte> input = memory.Input(slot);
        if (q[0] != 4 || !c.IsOnCurve(x, y) || !WriteDigest(c, Span(sqe.Src, sqe.SrcLen), input[..h]))
        {
            return false;
        }

        // e||s||r (UADK's ecc_prepare_verf_in); the public key p, a, b, n, gx, gy, x, y (wd_ecc_pubkey).
        HisiHpreOperands.WriteFixed(signature[field..], input.Slice(h, h));
        HisiHpreOperands.WriteFixed(signature[..field], input.Slice(2 * h, h));
        Span<byte> key = memory.Key(slot);
        c.P.CopyTo(key);
        c.A.CopyTo(key[h..]);
        c.B.CopyTo(key[(2 * h)..]);
        c.N.CopyTo(key[(3 * h)..]);
        c.Gx.CopyTo(key[(4 * h)..]);
        c.Gy.CopyTo(key[(5 * h)..]);
        HisiHpreOperands.WriteFixed(x, key.Slice(6 * h, h));
        HisiHpreOperands.WriteFixed(y, key.Slice(7 * h, h));
        hw.Dw0 = HisiHpreSqe.Submitted(HisiHpreAlgorithm.EcdsaVerify); // no output: the result comes back in the SQE
        pending.Kind = Completion.EcdsaVerify;
        return true;
    }

    public override void Flush()
    {
        if ((_unrung[RsaDh] && _queues[RsaDh]!.IsStopped) || (_unrung[Ecc] && _queues[Ecc]!.IsStopped))
        {
            DiscardUnflushed();
            ThrowHelper.QueueDisabled(QueueState.Disabled, QueueDisableReason.KernelStopped);
        }

        for (int which = 0; which < 2; which++)
        {
            if (_unrung[which])
            {
                _unrung[which] = false;
                _ = _queues[which]!.RingSq(); // a status word set since the look: the kernel stopped it, nothing runs
            }
        }

        _software.Flush();
        _local.Release();
    }

    public override void DiscardUnflushed() => _local.Discard();

    public override bool TryConsume(out Cqe cqe) =>
        _local.TryTake(out cqe) || _software.TryConsume(out cqe) || TryReap(RsaDh, out cqe) || TryReap(Ecc, out cqe);

    private bool TryReap(int which, out Cqe cqe)
    {
        cqe = default;
        HisiQmQueue? queue = _queues[which];
        if (queue is null || !queue.TryPeekPending(_pending[which], ref _errors, out int slot))
        {
            return false;
        }

        ref Pending pending = ref _pending[which][slot];
        HisiHpreSqe result = queue.Slot<HisiHpreSqe>(slot);
        HisiHpreOperands memory = _operands[which]!;
        cqe.UserData = pending.UserData;
        if (result.Tag != pending.Tag)
        {
            cqe.Status = CompletionStatus.InternalError; // the SQE in the slot is not the one submitted
        }
        else if (result.Done != HisiHpreSqe.TaskDone || result.ErrorType != 0 || result.ErrorType1 != 0)
        {
            cqe.Status = CompletionStatus.InternalError; // as UADK's hpre_result_check: not done, or an error type
            cqe.Detail = result.ErrorType;
        }
        else
        {
            cqe.Status = Complete(in pending, in result, memory, slot, out uint produced);
            cqe.Produced = produced;
        }

        memory.Scrub(slot);
        pending = default;
        queue.Advance();
        if (cqe.Status == CompletionStatus.Ok)
        {
            Interlocked.Increment(ref _engineDone);
        }
        else if (cqe.Status == CompletionStatus.InternalError)
        {
            Interlocked.Increment(ref _errors);
        }

        return true;
    }

    /// <summary>What the driver does with a finished task's output: nothing, or the software half of the scheme.</summary>
    private static CompletionStatus Complete(in Pending pending, in HisiHpreSqe result, HisiHpreOperands memory, int slot, out uint produced)
    {
        produced = 0;
        int h = (int)pending.Length, field = pending.Field;
        Span<byte> output = memory.Output(slot);
        switch (pending.Kind)
        {
            case Completion.Direct:
                produced = pending.Produced;
                return CompletionStatus.Ok;
            case Completion.Pkcs1Verify:
                return CryptographicOperations.FixedTimeEquals(output[..h], memory.Scratch(slot)[..h]) ? CompletionStatus.Ok : CompletionStatus.AuthFailed;
            case Completion.Pkcs1Decrypt:
            {
                // EME-PKCS1-v1_5 decoding: 00 02 PS(8+ non-zero) 00 M; one answer for every failure.
                ReadOnlySpan<byte> em = output[..h];
                int separator = em[2..].IndexOf((byte)0);
                if (em[0] != 0 || em[1] != 2 || separator < 8)
                {
                    return CompletionStatus.AuthFailed;
                }

                ReadOnlySpan<byte> message = em[(3 + separator)..];
                if (pending.DestinationLength < message.Length)
                {
                    return CompletionStatus.OutOfSpace;
                }

                message.CopyTo(new Span<byte>((void*)pending.Destination, message.Length));
                produced = (uint)message.Length;
                return CompletionStatus.Ok;
            }

            case Completion.OaepDecrypt:
            {
                // The key field is free once the engine is done: MGF1's scratch (it is scrubbed with the slot).
                int offset = HisiHpreRsaPadding.DecodeOaep(pending.Hash, output[..h], memory.Key(slot));
                if (offset < 0)
                {
                    return CompletionStatus.AuthFailed;
                }

                ReadOnlySpan<byte> message = output[offset..h];
                if (pending.DestinationLength < message.Length)
                {
                    return CompletionStatus.OutOfSpace;
                }

                message.CopyTo(new Span<byte>((void*)pending.Destination, message.Length));
                produced = (uint)message.Length;
                return CompletionStatus.Ok;
            }

            case Completion.PssVerify:
            {
                ReadOnlySpan<byte> digest = memory.Scratch(slot)[..HisiHpreRsaPadding.HashSize(pending.Hash)];
                return HisiHpreRsaPadding.VerifyPss(pending.Hash, digest, pending.ModulusTop, output[..h], memory.Key(slot))
                    ? CompletionStatus.Ok
                    : CompletionStatus.AuthFailed;
            }

            case Completion.EcdhX:
                output.Slice(h - field, field).CopyTo(new Span<byte>((void*)pending.Destination, field));
                produced = (uint)field;
                return CompletionStatus.Ok;
            case Completion.X25519:
            {
                Span<byte> secret = new((void*)pending.Destination, 32);
                output[..32].CopyTo(secret);
                secret.Reverse();
                if (!secret.ContainsAnyExcept((byte)0))
                {
                    secret.Clear();
                    return CompletionStatus.KeyRejected; // a low-order peer key (RFC 7748 section 6.1), as software answers
                }

                produced = 32;
                return CompletionStatus.Ok;
            }

            case Completion.EcdsaSign:
            {
                var signature = new Span<byte>((void*)pending.Destination, 2 * field);
                output.Slice(h - field, field).CopyTo(signature);
                output.Slice((2 * h) - field, field).CopyTo(signature[field..]);
                produced = (uint)(2 * field);
                return CompletionStatus.Ok;
            }

            case Completion.EcdsaVerify:
                return (result.OutputAddress & HisiHpreSqe.VerifyPassed) != 0 ? CompletionStatus.Ok : CompletionStatus.AuthFailed;
            default:
                return CompletionStatus.InternalError;
        }
    }

    public override bool HasCompletion() =>
        _local.Any || _software.HasCompletion() || _queues[RsaDh]!.TryPeek(out _) || (_queues[Ecc]?.TryPeek(out _) ?? false);

    public override void Sleep(TimeSpan maxSleep)
    {
        // A completion wakes poll() on its own queue's file; with requests on both, look at each in turn.
        bool rsaDh = _queues[RsaDh]!.InFlight > 0, ecc = _queues[Ecc]?.InFlight > 0;
        if (rsaDh && ecc)
        {
            _queues[RsaDh]!.Wait(s_sliceWhenBoth < maxSleep ? s_sliceWhenBoth : maxSleep);
            if (!HasCompletion())
            {
                _queues[Ecc]!.Wait(s_sliceWhenBoth < maxSleep ? s_sliceWhenBoth : maxSleep);
            }
        }
        else if (rsaDh || ecc)
        {
            _queues[rsaDh ? RsaDh : Ecc]!.Wait(maxSleep);
        }
    }

    public override void WakeSleepers()
    {
        // Sleepers wait at most their own bound in poll(); nothing to wake.
    }

    /// <summary>Frees the operand memory and the software queue: call only after the queues were released (the engine
    /// has left them).</summary>
    public override void Dispose()
    {
        _operands[RsaDh]?.Dispose();
        _operands[Ecc]?.Dispose();
        _software.Dispose();
    }

    /// <summary>What the driver does with a task's result.</summary>
    private enum Completion : byte
    {
        /// <summary>The engine wrote the answer into the destination.</summary>
        Direct,

        Pkcs1Verify,
        Pkcs1Decrypt,
        OaepDecrypt,
        PssVerify,
        EcdhX,
        X25519,
        EcdsaSign,
        EcdsaVerify,
    }

    /// <summary>What the driver remembers of a request in an SQ slot until its completion.</summary>
    private struct Pending : IHisiQmPending
    {
        public ulong UserData;
        public ushort Tag;
        public Completion Kind;
        public byte Field;
        public DigestAlgorithm Hash;
        public byte ModulusTop;
        public uint Length;
        public uint Produced;
        public ulong Destination;
        public uint DestinationLength;

        public readonly bool Active => Tag != 0;
    }
}
