using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;
using WarpDrive.Discovery;
using WarpDrive.Queues;

namespace WarpDrive.Drivers;

/// <summary>The user driver for HiSilicon SEC queues of the kernel (hisi_sec2 on <c>hisi_qm_v2</c>; UADK's
/// <c>drv/hisi_sec.c</c>): libwd's cipher and digest requests become 128-byte type-2 BDs (<see cref="HisiSecSqe"/>),
/// the engine's done flag and error type written back into them become <see cref="Cqe"/>s.</summary>
/// <remarks>
/// <para>On the engine: AES (128/192/256) and SM4 in ECB, CBC and XTS, 3DES (three keys) in ECB and CBC; MD5, SHA-1,
/// SHA-224, SHA-256, SHA-384, SHA-512 and SM3, plain and HMAC (keys of whole words up to the hash's block), one
/// request per message of 1 byte to <see cref="HisiSecSqe.MaxInputLength"/>; flat buffers or a data list (a hardware SGL
/// chain for the source, a one-entry SGL for a cipher's destination). AES-GCM (12-byte IV, 12- to 16-byte tags) and
/// AES-CCM (7- to 13-byte nonces, even tags of 4 to 16 bytes) as UADK's <c>fill_aead_bd2</c>: the associated data (up to
/// 65535 bytes, CCM <see cref="HisiSecSqe.MaxCcmAadLength"/>) ahead of the text in a two-entry SGL chain, the tag at
/// <c>mac_addr</c>, the IV blocks in per-slot memory (<see cref="HisiSecAeadMemory"/>); a decryption whose ICV check
/// fails is AUTH_FAILED with the destination cleared.</para>
/// <para>What the type-2 BD does not take (CTR, OFB and CFB, which only type-3 BDs carry; SHA-3 and CMAC; an empty
/// message, which the engine refuses; HMAC keys it cannot take; digests in pieces, whose long-hash mode needs
/// block-aligned pieces; SM4-GCM/CCM, type-3 only; ChaCha20-Poly1305; AEAD with an empty text, longer associated data
/// or a data list) goes as it came to the software device (<see cref="SoftwareFallback"/>),
/// counted in the meter, and is answered UNSUPPORTED where there is none. So is anything that is not a well-formed
/// request of those kinds: software checks it and gives the same answer as every other device.</para>
/// </remarks>
internal sealed unsafe class HisiSecDriver : QueueDriver
{
    private const int MaxStreamCount = 32; // digest streams run in software: the inline queue's limit (DeviceHostOptions.MaxStreamsPerQueue)

    private readonly WdDeviceInfo _device;
    private readonly HisiQmQueue _queue;
    private readonly Pending[] _pending;
    private readonly HisiSglMemory[] _sgl;
    private readonly HisiSecAeadMemory[] _aead;
    private readonly LocalCompletions _local = new();
    private readonly SoftwareFallback _software;
    private ushort _nextTag;
    private uint _errors;
    private long _engineDone;
    private bool _unrung;

    /// <summary>A driver on a started queue of <paramref name="device"/>; <paramref name="openSoftware"/> opens the
    /// software queue for what the engine lacks.</summary>
    public HisiSecDriver(WdDeviceInfo device, HisiQmQueue queue, Func<QueueTransport?> openSoftware)
    {
        _device = device;
        _queue = queue;
        _pending = new Pending[queue.Depth];
        _sgl = new HisiSglMemory[queue.Depth];
        _aead = new HisiSecAeadMemory[queue.Depth];
        _software = new SoftwareFallback(device, openSoftware);
    }

    /// <summary>The hardware queue (tests).</summary>
    internal HisiQmQueue Queue => _queue;

    /// <summary>Requests sent to software (tests).</summary>
    internal long SoftwareRequests => _software.Count;

    /// <summary>Requests the engine completed successfully (tests: the hardware tier checks that a request ran there).</summary>
    internal long EngineRequests => Interlocked.Read(ref _engineDone);

    public override uint QueueId => _queue.Id;

    public override int Depth => Math.Min(_queue.Depth, _queue.CqDepth) - 1;

    public override int MaxStreams => MaxStreamCount;

    public override QueueState State => _queue.IsStopped ? QueueState.Disabled : QueueState.Started;

    public override QueueDisableReason DisableReason =>
        State == QueueState.Disabled ? QueueDisableReason.KernelStopped : QueueDisableReason.None;

    public override uint ErrorCount => Volatile.Read(ref _errors);

    public override bool TryPublish(in Sqe sqe)
    {
        // The SGLs and AEAD blocks go to the tail slot's memory even when the queue turns out full: that slot is never in flight (one
        // slot always stays empty), and the next try writes them again.
        int next = _queue.NextSlot;
        if (!TryBuild(in sqe, ref _sgl[next], ref _aead[next], out HisiSecSqe hw, out Pending pending))
        {
            return _software.TrySendOrRefuse(in sqe, _local, ref _errors);
        }

        if (!_queue.HasRoom)
        {
            return false;
        }

        ushort tag = ++_nextTag == 0 ? ++_nextTag : _nextTag; // 0 marks a free slot
        hw.Tag = tag;
        pending.Tag = tag;
        _pending[_queue.NextSlot] = pending;
        _queue.Enqueue(in hw);
        _unrung = true;
        return true;
    }

    /// <summary>The BD of a request the engine takes (a data list, or an AEAD's associated data and text, becomes
    /// hardware SGLs in <paramref name="sgl"/>, the slot's; CCM's blocks go to <paramref name="aead"/>); false for one
    /// that goes to software.</summary>
    private static bool TryBuild(in Sqe sqe, ref HisiSglMemory sgl, ref HisiSecAeadMemory aead, out HisiSecSqe hw, out Pending pending)
    {
        hw = default;
        pending = new Pending { UserData = sqe.UserData };
        bool list = sqe.Flags == SqeFlags.SrcDataList;
        if ((sqe.Flags != SqeFlags.None && !list) || sqe.StreamId != 0 || sqe.Arg != 0 || sqe.Reserved0 != 0 || sqe.Reserved3 != 0
            || sqe.Params == 0 || sqe.Src == 0 || sqe.Dst == 0 || sqe.SrcLen == 0 || (list && sqe.SrcLen > DataListEntry.MaxEntries))
        {
            return false;
        }

        ulong length = list ? HisiSglMemory.TotalLength((DataListEntry*)sqe.Src, (int)sqe.SrcLen) : sqe.SrcLen;
        if (length is 0 or > HisiSecSqe.MaxInputLength)
        {
            return false;
        }

        CryptoParams p = *(CryptoParams*)sqe.Params; // read once: the client may rewrite it
        if (p.Reserved0 != 0 || p.Reserved1 != 0 || p.Aux != 0 || p.AuxLen != 0)
        {
            return false;
        }

        pending.Length = (uint)length;
        if (sqe.Opcode is Opcode.AeadEncrypt or Opcode.AeadDecrypt)
        {
            return !list && TryBuildAead(in sqe, in p, ref hw, ref pending, ref sgl, ref aead);
        }

        if (p.Aad != 0 || p.AadLen != 0 || p.TagLen != 0)
        {
            return false;
        }

        bool built = sqe.Opcode switch
        {
            Opcode.CipherEncrypt or Opcode.CipherDecrypt => TryBuildCipher(in sqe, in p, ref hw, ref pending),
            Opcode.Digest => TryBuildDigest(in sqe, in p, ref hw, ref pending),
            _ => false,
        };
        if (built && list)
        {
            // As UADK's hisi_sec_fill_sgl: the source an SGL chain; a cipher's destination a one-entry SGL, a digest's
            // MAC stays flat.
            hw.SdsSaType |= HisiSecSqe.SourceSgl;
            hw.SourceAddress = sgl.WriteInput((DataListEntry*)sqe.Src, (int)sqe.SrcLen);
            if (sqe.Opcode != Opcode.Digest)
            {
                hw.SdmAddrType |= HisiSecSqe.DestinationSgl;
                hw.DestinationAddress = sgl.WriteOutput(sqe.Dst, pending.Length);
            }
        }

        return built;
    }

    private static bool TryBuildCipher(in Sqe sqe, in CryptoParams p, ref HisiSecSqe hw, ref Pending pending)
    {
        var algorithm = (CipherAlgorithm)sqe.Algorithm;
        if (sqe.Mode != 0 || sqe.Hash != 0 || !HisiSecCodes.TryCipher(algorithm, p.KeyLen, out HisiSecCipherAlgorithm cipher,
                out HisiSecCipherMode mode, out byte keyLength, out int block)
            || sqe.DstLen < pending.Length || p.Key == 0)
        {
            return false;
        }

        int ivLength = mode == HisiSecCipherMode.Ecb ? 0 : mode == HisiSecCipherMode.Xts ? 16 : block;
        bool lengthFits = mode == HisiSecCipherMode.Xts ? pending.Length >= 16 : pending.Length % block == 0;
        if (p.IvLen != ivLength || (ivLength != 0 && p.Iv == 0) || (ivLength == 0 && p.Iv != 0) || !lengthFits)
        {
            return false;
        }

        byte direction = sqe.Opcode == Opcode.CipherEncrypt ? HisiSecSqe.CipherEncrypt : HisiSecSqe.CipherDecrypt;
        hw.TypeAuthCipher = (byte)(HisiSecSqe.BdType2 | (direction << HisiSecSqe.CipherShift));
        hw.SdsSaType = (byte)((1 << HisiSecSqe.DestinationEnableShift) | (HisiSecSqe.SceneIpsec << HisiSecSqe.SceneShift));
        hw.CipherAlgorithm = (byte)cipher;
        hw.CipherModeKeyLength = (ushort)((keyLength << HisiSecSqe.CipherKeyLengthShift) | ((int)mode << HisiSecSqe.CipherModeShift));
        hw.CipherLengthIvHigh = pending.Length;
        hw.CipherKeyAddress = p.Key;
        hw.CipherIvAddress = p.Iv;
        hw.SourceAddress = sqe.Src;
        hw.DestinationAddress = sqe.Dst;
        pending.Produced = pending.Length;
        return true;
    }

    /// <summary>AES-GCM or AES-CCM as UADK's <c>fill_aead_bd2</c>: the source is the associated data then the text
    /// (<c>cipher_src_offset</c> and <c>alen_ivllen</c> the associated data's length, <c>clen_ivhlen</c> the text's), the
    /// destination keeps as many bytes ahead of the output, the tag goes to (encryption) or is checked at (decryption)
    /// <c>mac_addr</c>, which lies in the client's buffer right after the text. GCM takes the 12-byte IV in a zero-padded
    /// 16-byte block; CCM the counter block and B0 formed from the nonce.</summary>
    private static bool TryBuildAead(in Sqe sqe, in CryptoParams p, ref HisiSecSqe hw, ref Pending pending, ref HisiSglMemory sgl,
        ref HisiSecAeadMemory aead)
    {
        var algorithm = (AeadAlgorithm)sqe.Algorithm;
        bool encrypt = sqe.Opcode == Opcode.AeadEncrypt;
        bool ccm = algorithm == AeadAlgorithm.AesCcm;
        uint tag = p.TagLen, aadLength = p.AadLen;
        uint text = encrypt ? pending.Length : pending.Length - Math.Min(tag, pending.Length);
        byte keyCode = p.KeyLen switch
        {
            16 => HisiSecSqe.KeyLength128,
            24 => HisiSecSqe.KeyLength192,
            32 => HisiSecSqe.KeyLength256,
            _ => byte.MaxValue,
        };

        // A type-2 BD takes AES only (SM4-GCM/CCM are type-3), no empty text, associated data whose length fits the
        // 16-bit cipher offset (CCM: MAX_CCM_AAD_LEN), and the tag lengths CCM and GCM define.
        if (algorithm is not (AeadAlgorithm.AesGcm or AeadAlgorithm.AesCcm) || sqe.Mode != 0 || sqe.Hash != 0
            || keyCode == byte.MaxValue || p.Key == 0 || p.Iv == 0
            || (ccm ? p.IvLen is < 7 or > 13 || tag is < 4 or > 16 || tag % 2 != 0 || aadLength > HisiSecSqe.MaxCcmAadLength
                : p.IvLen != 12 || tag is < 12 or > 16)
            || aadLength > ushort.MaxValue || (aadLength == 0) != (p.Aad == 0) || text == 0 || (!encrypt && pending.Length < tag)
            || (ulong)text + aadLength > HisiSecSqe.MaxInputLength || sqe.DstLen < (encrypt ? (ulong)text + tag : text)
            || (ccm && 15 - p.IvLen < 4 && text >= 1u << (int)(8 * (15 - p.IvLen))))
        {
            return false;
        }

        byte direction = encrypt ? HisiSecSqe.CipherEncrypt : HisiSecSqe.CipherDecrypt;
        HisiSecCipherMode mode = ccm ? HisiSecCipherMode.Ccm : HisiSecCipherMode.Gcm;
        hw.TypeAuthCipher = (byte)(HisiSecSqe.BdType2 | (direction << HisiSecSqe.CipherShift)); // CCM/GCM: no auth type
        hw.SdsSaType = (byte)((encrypt ? 0 : HisiSecSqe.DigestThenCipher) | (1 << HisiSecSqe.DestinationEnableShift)
            | (HisiSecSqe.SceneIpsec << HisiSecSqe.SceneShift));
        hw.CipherAlgorithm = (byte)HisiSecCipherAlgorithm.Aes;
        hw.CipherModeKeyLength = (ushort)(tag | ((uint)keyCode << HisiSecSqe.CipherKeyLengthShift) | ((uint)mode << HisiSecSqe.CipherModeShift));
        hw.CipherLengthIvHigh = text;
        hw.AuthLengthIvLow = aadLength;
        hw.CipherSourceOffset = (ushort)aadLength;
        hw.CipherKeyAddress = p.Key;
        hw.MacAddress = (encrypt ? sqe.Dst : sqe.Src) + text;

        if (ccm)
        {
            (hw.CipherIvAddress, hw.AuthIvAddress) = aead.WriteCcmBlocks((byte*)p.Iv, (int)p.IvLen, (int)tag, aadLength != 0, text);
        }
        else
        {
            hw.CipherIvAddress = hw.AuthIvAddress = aead.WriteGcmIv((byte*)p.Iv); // GCM: the authentication IV is the cipher's
        }

        if (aadLength == 0)
        {
            hw.SourceAddress = sqe.Src;
            hw.DestinationAddress = sqe.Dst;
        }
        else
        {
            DataListEntry* source = stackalloc DataListEntry[2];
            source[0] = new DataListEntry { Address = p.Aad, Length = aadLength };
            source[1] = new DataListEntry { Address = sqe.Src, Length = text };
            hw.SdsSaType |= HisiSecSqe.SourceSgl;
            hw.SdmAddrType |= HisiSecSqe.DestinationSgl;
            hw.SourceAddress = sgl.WriteInput(source, 2);
            hw.DestinationAddress = sgl.WriteOutput(aead.Sink(aadLength), aadLength, sqe.Dst, text);
        }

        pending.Produced = encrypt ? text + tag : text;
        pending.Opened = encrypt ? 0 : sqe.Dst;
        return true;
    }

    private static bool TryBuildDigest(in Sqe sqe, in CryptoParams p, ref HisiSecSqe hw, ref Pending pending)
    {
        var algorithm = (DigestAlgorithm)sqe.Algorithm;
        var mode = (DigestMode)sqe.Mode;
        bool hmac = mode == DigestMode.Hmac;
        if (sqe.Hash != 0 || mode is not (DigestMode.Hash or DigestMode.Hmac)
            || !HisiSecCodes.TryDigest(algorithm, hmac, out HisiSecAuthAlgorithm auth, out int size, out int blockSize)
            || sqe.DstLen < size || p.Iv != 0 || p.IvLen != 0)
        {
            return false;
        }

        // HMAC: the engine takes the key in whole words, at most a block (a longer key is hashed first, RFC 2104,
        // which the kernel's driver does in software too).
        if (hmac ? p.Key == 0 || p.KeyLen == 0 || p.KeyLen % 4 != 0 || p.KeyLen > blockSize : p.Key != 0 || p.KeyLen != 0)
        {
            return false;
        }

        hw.TypeAuthCipher = (byte)(HisiSecSqe.BdType2 | (HisiSecSqe.AuthCalculate << HisiSecSqe.AuthShift));
        hw.SdsSaType = (byte)(HisiSecSqe.SceneIpsec << HisiSecSqe.SceneShift); // no destination: the MAC goes to mac_addr
        hw.MacKeyAlg = ((uint)size / 4) | ((p.KeyLen / 4) << HisiSecSqe.AuthKeyLengthShift) | ((uint)auth << HisiSecSqe.AuthAlgorithmShift);
        hw.AuthLengthIvLow = pending.Length;
        hw.AuthKeyAddress = hmac ? p.Key : 0;
        hw.SourceAddress = sqe.Src;
        hw.MacAddress = sqe.Dst;
        pending.Produced = (uint)size;
        return true;
    }

    public override void Flush()
    {
        if (_unrung && _queue.IsStopped)
        {
            DiscardUnflushed();
            ThrowHelper.QueueDisabled(QueueState.Disabled, QueueDisableReason.KernelStopped);
        }

        if (_unrung)
        {
            _unrung = false;
            _ = _queue.RingSq(); // a status word set since the look: the kernel stopped it, nothing runs
        }

        _software.Flush();
        _local.Release();
    }

    public override void DiscardUnflushed() => _local.Discard();

    public override bool TryConsume(out Cqe cqe) =>
        _local.TryTake(out cqe) || _software.TryConsume(out cqe) || TryReap(out cqe);

    private bool TryReap(out Cqe cqe)
    {
        cqe = default;
        if (!_queue.TryPeekPending(_pending, ref _errors, out int slot))
        {
            return false;
        }

        ref Pending pending = ref _pending[slot];
        HisiSecSqe result = _queue.Slot<HisiSecSqe>(slot);
        cqe.UserData = pending.UserData;
        if (result.Tag != pending.Tag)
        {
            cqe.Status = CompletionStatus.InternalError; // the BD in the slot is not the one submitted
        }
        else if ((result.DoneFlag & HisiSecSqe.Done) == 0 || result.ErrorType != 0)
        {
            cqe.Status = CompletionStatus.InternalError; // as UADK: not done, or an error type, fails the request
            cqe.Detail = result.ErrorType;
        }
        else if (pending.Opened != 0 && ((result.DoneFlag & HisiSecSqe.IcvMask) >> 1) == HisiSecSqe.IcvError)
        {
            // The tag did not match: no plaintext is released (the engine may have written it), as every device answers.
            new Span<byte>((void*)pending.Opened, (int)pending.Produced).Clear();
            cqe.Status = CompletionStatus.AuthFailed;
        }
        else
        {
            cqe.Status = CompletionStatus.Ok;
            cqe.Consumed = pending.Length;
            cqe.Produced = pending.Produced;
            Interlocked.Increment(ref _engineDone);
        }

        pending = default;
        _queue.Advance();
        if (cqe.Status is not (CompletionStatus.Ok or CompletionStatus.AuthFailed))
        {
            Interlocked.Increment(ref _errors);
        }

        return true;
    }

    public override bool HasCompletion() => _local.Any || _software.HasCompletion() || _queue.TryPeek(out _);

    public override void Sleep(TimeSpan maxSleep)
    {
        if (_queue.InFlight > 0)
        {
            _queue.Wait(maxSleep);
        }
    }

    public override void WakeSleepers()
    {
        // Sleepers wait at most their own bound in poll(); nothing to wake.
    }

    /// <summary>Frees the SGLs and the software queue: call only after the queue was released (the engine has left it).</summary>
    public override void Dispose()
    {
        for (int i = 0; i < _sgl.Length; i++)
        {
            _sgl[i].Dispose();
            _aead[i].Dispose();
        }

        _software.Dispose();
    }

    /// <summary>What the driver remembers of a request in an SQ slot until its completion.</summary>
    private struct Pending : IHisiQmPending
    {
        public ulong UserData;
        public ushort Tag;
        public uint Length;
        public uint Produced;
        public ulong Opened; // an AEAD decryption's destination, cleared when the tag does not match

        public readonly bool Active => Tag != 0;
    }
}
