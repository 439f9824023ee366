using System.Runtime.InteropServices;
using WarpDrive.Abi;
using WarpDrive.Platform;

namespace WarpDrive.Devices;

/// <summary>Where an engine finds the memory a request names. An address inside one of the domain's shared ranges
/// is used in place (in-process memory, or a region the broker made: zero copy). Otherwise, for an SVA device whose
/// client is another process, the engine copies the bytes in with process_vm_readv before it runs and the output out
/// with process_vm_writev after: the broker's stand-in for an IOMMU walking the client's page tables. Anything else
/// is an ADDRESS_FAULT. One per worker; <see cref="Reset"/> before each request.</summary>
/// <remarks>The staging arenas are reserved at <see cref="DeviceHostOptions.MaxRequestBytes"/> on first use; pages
/// are committed as they are touched. A copy taken once is also what the codec reads, so a client that rewrites its
/// buffer mid-request cannot change what the device saw.</remarks>
internal sealed unsafe class RequestMemory : IDisposable
{
    private readonly long _limit;
    private long _inputBudget = long.MaxValue;
    private ulong _outputBudget = ulong.MaxValue;
    private byte* _input;
    private long _inputUsed; // staged bytes in _input
    private long _inputTotal; // every input byte of the request, staged or in place
    private (nint Pointer, int Length)[] _secrets = new (nint, int)[4];
    private int _secretCount;
    private byte* _output;
    private ulong _outputAddress;
    private int _outputPid;

    public RequestMemory(long limit) => _limit = limit;

    /// <summary>Returned by <see cref="MapInput"/> and <see cref="MapOutput"/> (never posted) when a request names more
    /// memory than this thread's lane takes (<see cref="SetLaneBudget"/>): the model stops before it runs anything and
    /// the engine hands the request to the bulk lane, which runs it from the start.</summary>
    public const CompletionStatus OverBudget = (CompletionStatus)0xFE;

    /// <summary>Makes this a worker's memory: a request may name at most <paramref name="bytes"/> of input, and
    /// four times as much output room (decompression writes about that much faster than it reads).</summary>
    public void SetLaneBudget(long bytes)
    {
        _inputBudget = bytes;
        _outputBudget = (ulong)bytes * 4;
    }

    /// <summary>Forgets the previous request's staging (zeroing any staged secret first).</summary>
    public void Reset()
    {
        ScrubSecrets();
        _inputUsed = 0;
        _inputTotal = 0;
        _outputPid = 0;
    }

    /// <summary>Finds <paramref name="length"/> readable bytes at the client's <paramref name="address"/>.</summary>
    /// <returns>OK, ADDRESS_FAULT (outside the domain, unmapped, or the client is gone), or BAD_REQUEST (a client in
    /// another process named more input than the device's limit: one request may not hold an engine for long).</returns>
    public CompletionStatus MapInput(HardwareQueue queue, ulong address, ulong length, out nint pointer)
    {
        Domain domain = queue.Domain!;
        bool remote = domain.RemoteProcessId != 0;
        if (remote && length > (ulong)(_limit - _inputTotal))
        {
            pointer = 0;
            return CompletionStatus.BadRequest;
        }

        if (length > (ulong)(_inputBudget - _inputTotal))
        {
            pointer = 0;
            return OverBudget;
        }

        _inputTotal += (long)length;
        if (domain.TryTranslate(address, length, out pointer))
        {
            return CompletionStatus.Ok;
        }

        if (!CanCopy(queue) || address == 0 || address + length < address)
        {
            return CompletionStatus.AddressFault;
        }

        _input = _input is null ? Reserve() : _input;
        byte* target = _input + _inputUsed;
        if (!ProcessMemory.TryRead(domain.RemoteProcessId, address, target, (nuint)length))
        {
            return CompletionStatus.AddressFault;
        }

        _inputUsed += (long)length;
        pointer = (nint)target;
        return CompletionStatus.Ok;
    }

    /// <summary>Finds writable room for the output at the client's <paramref name="address"/>. For a client in another
    /// process <paramref name="usable"/> may be less than <paramref name="length"/> (the device's limit); when the
    /// output is staged, <see cref="CommitOutput"/> must copy the result out.</summary>
    public CompletionStatus MapOutput(HardwareQueue queue, ulong address, ulong length, out nint pointer, out ulong usable)
    {
        Domain domain = queue.Domain!;
        usable = domain.RemoteProcessId != 0 ? Math.Min(length, (ulong)_limit) : length;
        if (usable > _outputBudget)
        {
            pointer = 0;
            return OverBudget;
        }

        if (domain.TryTranslate(address, usable, out pointer))
        {
            return CompletionStatus.Ok;
        }

        if (!CanCopy(queue) || address == 0 || address + length < address)
        {
            return CompletionStatus.AddressFault;
        }

        _output = _output is null ? Reserve() : _output;
        _outputAddress = address;
        _outputPid = domain.RemoteProcessId;
        pointer = (nint)_output;
        return CompletionStatus.Ok;
    }

    /// <summary>Records that [<paramref name="pointer"/>, +<paramref name="length"/>) holds key material: if it was
    /// staged (copied from another process), <see cref="ScrubSecrets"/> zeroes it. In place, it is the client's own
    /// memory and left alone.</summary>
    public void MarkSecret(nint pointer, int length)
    {
        if (_input is null || length <= 0 || (byte*)pointer < _input || (byte*)pointer >= _input + _limit)
        {
            return;
        }

        if (_secretCount == _secrets.Length)
        {
            Array.Resize(ref _secrets, _secrets.Length * 2);
        }

        _secrets[_secretCount++] = (pointer, length);
    }

    /// <summary>Zeroes the staged copies of the current request's secrets: call when the request is done, so that a
    /// client's key does not outlive its request in the engine's arena.</summary>
    public void ScrubSecrets()
    {
        for (int i = 0; i < _secretCount; i++)
        {
            new Span<byte>((void*)_secrets[i].Pointer, _secrets[i].Length).Clear();
        }

        _secretCount = 0;
    }

    /// <summary>Copies a staged output's first <paramref name="produced"/> bytes to the client.</summary>
    /// <returns>false when the client's memory is not writable there (ADDRESS_FAULT).</returns>
    public bool CommitOutput(ulong produced) =>
        _outputPid == 0 || produced == 0 || ProcessMemory.TryWrite(_outputPid, _outputAddress, _output, (nuint)produced);

    /// <summary>Zeroes the first <paramref name="produced"/> bytes of a staged output once it was copied out: for
    /// outputs that are secrets (generated private keys, shared secrets, decrypted messages), so that they do not
    /// linger in the engine's arena. An output written in place is the client's memory and left alone.</summary>
    public void ScrubOutput(ulong produced)
    {
        if (_outputPid != 0 && produced > 0)
        {
            new Span<byte>(_output, (int)Math.Min(produced, (ulong)_limit)).Clear();
        }
    }

    private static bool CanCopy(HardwareQueue queue) =>
        queue.Domain!.RemoteProcessId != 0 && (queue.Host.Flags & DeviceFlags.Sva) != 0;

    private byte* Reserve() => (byte*)NativeMemory.Alloc((nuint)_limit);

    public void Dispose()
    {
        ScrubSecrets();
        NativeMemory.Free(_input);
        NativeMemory.Free(_output);
        _input = null;
        _output = null;
    }
}
