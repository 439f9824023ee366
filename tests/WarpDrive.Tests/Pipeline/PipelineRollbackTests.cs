using System.IO.Compression;
using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Compression;
using WarpDrive.Crypto;
using WarpDrive.Pipeline;
using WarpDrive.Queues;
using WarpDrive.Scheduling;

namespace WarpDrive.Tests.Pipeline;

/// <summary>The request pipeline's rollback (issue 17): a failure injected at each step of every kind of request
/// (synchronous, ValueTask, callback, awaited submission, batch; compression and crypto) leaves no slot, pin or share
/// behind, counts the request out of its session exactly once, and the next request through the same session works;
/// through the queues (Mix mode off), and as an application gets it by default (synchronous requests inline).</summary>
public sealed class PipelineRollbackTestsQueue() : PipelineRollbackTests(mixMode: false);

/// <inheritdoc cref="PipelineRollbackTestsQueue"/>
public sealed class PipelineRollbackTestsMix() : PipelineRollbackTests(mixMode: true);

/// <inheritdoc cref="PipelineRollbackTestsQueue"/>
public abstract class PipelineRollbackTests(bool mixMode) : IDisposable
{
    private static readonly byte[] s_input = TestData.Text(20_000);
    private readonly WdRuntime _runtime = new(new WdRuntimeOptions
    {
        Mode = WdDeviceMode.Local,
        MixMode = mixMode,
        BackgroundPolling = true,
        EmbeddedDeviceOptions = new WdEmbeddedDeviceOptions { QueueCount = 4, WorkerCount = 1, QueueDepth = 8 },
    });

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _runtime.Dispose();
    }

    public static TheoryData<string> SyncSteps => [.. Enum.GetNames<PipelineStep>()];

    public static TheoryData<string> AsyncSteps => [.. Enum.GetNames<PipelineStep>().Where(s => s != nameof(PipelineStep.Wait))];

    [Theory]
    [MemberData(nameof(SyncSteps))]
    public void SynchronousCompression(string stepName)
    {
        PipelineStep step = Enum.Parse<PipelineStep>(stepName);
        using var session = Stream();
        int baseline = Warm(session);
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(s_input.Length)];
        PipelineFaults.Arm(session, step);
        InjectedFaultException e = Assert.Throws<InjectedFaultException>(() => session.Process(s_input, output));
        Assert.Equal(step, e.Step);
        AssertClean(session, baseline);
    }

    [Theory]
    [MemberData(nameof(SyncSteps))]
    public void SynchronousDataListCompression(string stepName)
    {
        PipelineStep step = Enum.Parse<PipelineStep>(stepName);
        using var session = Stream();
        int baseline = Warm(session);
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(s_input.Length)];
        PipelineFaults.Arm(session, step);
        Assert.Throws<InjectedFaultException>(() => session.Process(TestSequences.Split(s_input, 3), output));
        AssertClean(session, baseline);
    }

    [Theory]
    [MemberData(nameof(AsyncSteps))]
    public async Task ValueTaskCompression(string stepName)
    {
        PipelineStep step = Enum.Parse<PipelineStep>(stepName);
        using var session = Stream();
        int baseline = Warm(session);
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(s_input.Length)];
        PipelineFaults.Arm(session, step);
        await Assert.ThrowsAsync<InjectedFaultException>(async () => await session.ProcessAsync(s_input, output));
        AssertClean(session, baseline);
    }

    [Theory]
    [MemberData(nameof(AsyncSteps))]
    public async Task CallbackAndAwaitedSubmission(string stepName)
    {
        PipelineStep step = Enum.Parse<PipelineStep>(stepName);
        using var session = Block();
        int baseline = Warm(session);
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(s_input.Length)];
        int called = 0;
        void Callback(in CompressionResult r, object? state) => Interlocked.Increment(ref called);

        PipelineFaults.Arm(session, step);
        Assert.Throws<InjectedFaultException>(() => session.TrySubmit(s_input, output, Callback));
        AssertClean(session, baseline);
        PipelineFaults.Arm(session, step);
        await Assert.ThrowsAsync<InjectedFaultException>(async () => await session.SubmitAsync(s_input, output, Callback));
        AssertClean(session, baseline);
        Assert.Equal(0, Volatile.Read(ref called));
    }

    [Theory]
    [MemberData(nameof(SyncSteps))]
    public void Batches(string stepName)
    {
        PipelineStep step = Enum.Parse<PipelineStep>(stepName);
        using var session = Block();
        int baseline = Warm(session);
        var requests = new CompressionRequest[12]; // more than the queue's depth: two doorbells for the synchronous batch
        for (int i = 0; i < requests.Length; i++)
        {
            requests[i] = new CompressionRequest(s_input.AsMemory(i * 100, 1000), new byte[CompressionSession.GetMaxCompressedLength(1000)], i);
        }

        PipelineFaults.Arm(session, step);
        Assert.Throws<InjectedFaultException>(() => session.ProcessBatch(requests, new CompressionResult[requests.Length]));
        AssertClean(session, baseline);
        if (step != PipelineStep.Wait)
        {
            PipelineFaults.Arm(session, step);
            Assert.Throws<InjectedFaultException>(() => session.SubmitBatch(requests, static (in CompressionResult r, object? s) => { }));
            AssertClean(session, baseline);
        }
    }

    [Theory]
    [MemberData(nameof(SyncSteps))]
    public async Task Crypto(string stepName)
    {
        PipelineStep step = Enum.Parse<PipelineStep>(stepName);
        byte[] key = RandomNumberGenerator.GetBytes(32), nonce = RandomNumberGenerator.GetBytes(12), aad = new byte[2000]; // aad too large to copy inline
        // Not disposed when an assertion fails: disposing waits for every request counted in, which a broken rollback never counts out.
        var session = new AeadSession(AeadAlgorithm.AesGcm, key, runtime: _runtime);
        byte[] sealedBytes = new byte[s_input.Length + 16];
        for (int i = 0; i < 16; i++)
        {
            // Every context the scheduler rotates through has made its scratch (a shared range) from here on.
            session.Encrypt(nonce, s_input, sealedBytes, aad);
            await session.EncryptAsync(nonce, s_input, sealedBytes, aad);
        }

        int baseline = RangeCount();

        PipelineFaults.Arm(session, step);
        Assert.Throws<InjectedFaultException>(() => session.Encrypt(nonce, s_input, sealedBytes, aad));
        AssertCleanCrypto(session, AlgorithmLibrary.Aead, baseline);
        if (step != PipelineStep.Wait)
        {
            PipelineFaults.Arm(session, step);
            await Assert.ThrowsAsync<InjectedFaultException>(async () => await session.EncryptAsync(nonce, s_input, sealedBytes, aad));
            AssertCleanCrypto(session, AlgorithmLibrary.Aead, baseline);
            PipelineFaults.Arm(session, step);
            Assert.Throws<InjectedFaultException>(() => session.TryEncrypt(nonce, s_input, sealedBytes, aad, static (in CryptoResult r, object? s) => { }));
            AssertCleanCrypto(session, AlgorithmLibrary.Aead, baseline);
        }

        // The session still works, and its output is what the runtime's AesGcm makes.
        Array.Clear(sealedBytes);
        Assert.Equal(sealedBytes.Length, await session.EncryptAsync(nonce, s_input, sealedBytes, aad));
        using var reference = new AesGcm(key, 16);
        byte[] plain = new byte[s_input.Length];
        reference.Decrypt(nonce, sealedBytes.AsSpan(0, s_input.Length), sealedBytes.AsSpan(s_input.Length), plain, aad);
        Assert.Equal(s_input, plain);
        session.Dispose();
    }

    private CompressionSession Stream() => new(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip, Mode = SessionMode.Stream }, _runtime);

    private CompressionSession Block() => new(new CompressionSessionOptions { Algorithm = CompressionAlgorithm.Gzip }, _runtime);

    /// <summary>One request that works, so that every lazily made resource (contexts, scratch) exists; returns the
    /// domain's range count after it.</summary>
    private int Warm(CompressionSession session)
    {
        RoundTrip(session);
        return RangeCount();
    }

    private int RangeCount() => _runtime.EmbeddedDomain!.SharedRangeCount;

    private void AssertClean(CompressionSession session, int baseline)
    {
        Assert.False(PipelineFaults.IsArmed(session), "the injected fault did not fire");
        Assert.False(session.IsBusy, "the request was not counted out");
        AssertNothingHeld(AlgorithmLibrary.Comp, baseline);
        RoundTrip(session);
    }

    private void AssertCleanCrypto(CryptoSession session, AlgorithmLibrary library, int baseline)
    {
        Assert.False(PipelineFaults.IsArmed(session), "the injected fault did not fire");
        Assert.Equal(0, session.RequestsInFlight);
        AssertNothingHeld(library, baseline);
    }

    private void AssertNothingHeld(AlgorithmLibrary library, int baseline)
    {
        // Async completions are delivered by the poller: give them a moment to land (nothing should be in flight).
        SpinWait.SpinUntil(() => _runtime.Scheduler(library).Contexts.All(c => c.FreeSlots == c.Depth), TimeSpan.FromSeconds(5));
        foreach (WdContext context in _runtime.Scheduler(library).Contexts)
        {
            Assert.Equal(context.Depth, context.FreeSlots);
            Assert.Equal(0, context.HeldBuffers);
            Assert.Equal(0, context.InFlight);
        }

        Assert.Equal(baseline, RangeCount());
    }

    /// <summary>A gzip round trip through the session, checked by the runtime's GZipStream.</summary>
    private static void RoundTrip(CompressionSession session)
    {
        byte[] output = new byte[CompressionSession.GetMaxCompressedLength(s_input.Length)];
        CompressionResult r = session.Process(s_input, output);
        Assert.True(r.IsOk && r.EndOfStream, r.DescribeError());
        using var gzip = new GZipStream(new MemoryStream(output, 0, r.Produced), CompressionMode.Decompress);
        var back = new MemoryStream();
        gzip.CopyTo(back);
        Assert.Equal(s_input, back.ToArray());
    }
}
