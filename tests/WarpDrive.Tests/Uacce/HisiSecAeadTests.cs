using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Abi.Uacce;
using WarpDrive.Crypto;
using WarpDrive.Tests.Sec;
using static WarpDrive.Tests.Sec.SecHarness;
using static WarpDrive.Tests.Uacce.HisiSecDriverTests;

namespace WarpDrive.Tests.Uacce;

/// <summary>AEAD through libwd's hisi_sec2 driver on the SEC device model: <see cref="AeadSession"/> runs unchanged,
/// AES-GCM and AES-CCM go to the engine as type-2 BDs (associated data and text one SGL chain, CCM's counter block and
/// B0 formed by the driver), what a type-2 BD cannot carry goes to software, counted.</summary>
[Trait(Tiers.Name, Tiers.Integration)]
public sealed class HisiSecAeadTests : IDisposable
{
    private readonly List<KernelSec> _owned = [];

    private KernelSec Start()
    {
        var sec = new KernelSec();
        _owned.Add(sec);
        return sec;
    }

    public void Dispose()
    {
        foreach (KernelSec owned in _owned)
        {
            owned.Dispose();
        }
    }

    [Theory]
    [MemberData(nameof(SecAeadTests.Vectors), MemberType = typeof(SecAeadTests))]
    public void PublishedVectorsPassAndAesGcmAndCcmRunOnTheEngine(AeadAlgorithm algorithm, string key, string nonce, string aad, string plaintext,
        string ciphertext, string tag)
    {
        KernelSec sec = Start();
        if (!Available(algorithm))
        {
            return;
        }

        using var session = new AeadSession(algorithm, Hex(key), tag.Length / 2, sec.Runtime);
        Assert.Equal("kernel", session.Device.Location);
        byte[] sealedData = new byte[(plaintext.Length + tag.Length) / 2];
        Assert.Equal(sealedData.Length, session.Encrypt(Hex(nonce), Hex(plaintext), sealedData, Hex(aad)));
        Assert.Equal(ciphertext + tag, ToHex(sealedData));
        byte[] opened = new byte[plaintext.Length / 2];
        Assert.Equal(opened.Length, session.Decrypt(Hex(nonce), sealedData, opened, Hex(aad)));
        Assert.Equal(plaintext, ToHex(opened));

        // A type-2 BD carries AES-GCM and AES-CCM; SM4-GCM (type 3) and ChaCha20-Poly1305 (not on SEC) ran in software.
        bool engine = algorithm is AeadAlgorithm.AesGcm or AeadAlgorithm.AesCcm;
        Assert.Equal(engine ? (2L, 0L) : (0L, 2L), Counts(sec.Model, sec.Runtime));
    }

    [Theory]
    [InlineData(AeadAlgorithm.AesGcm, 16, 12, 16, 0, 1)]
    [InlineData(AeadAlgorithm.AesGcm, 24, 12, 12, 13, 100)]
    [InlineData(AeadAlgorithm.AesGcm, 32, 12, 14, 65535, 4097)]
    [InlineData(AeadAlgorithm.AesCcm, 16, 7, 4, 0, 17)]
    [InlineData(AeadAlgorithm.AesCcm, 24, 13, 16, 1, 65535)]
    [InlineData(AeadAlgorithm.AesCcm, 32, 11, 10, HisiSecSqe.MaxCcmAadLength, 300)]
    public void EngineResultsMatchTheRuntime(AeadAlgorithm algorithm, int keyLength, int nonceLength, int tagLength, int aadLength, int length)
    {
        KernelSec sec = Start();
        byte[] key = RandomNumberGenerator.GetBytes(keyLength), nonce = RandomNumberGenerator.GetBytes(nonceLength);
        byte[] aad = RandomNumberGenerator.GetBytes(aadLength), plain = RandomNumberGenerator.GetBytes(length);
        byte[] expected = new byte[length + tagLength];
        if (algorithm == AeadAlgorithm.AesGcm)
        {
            using var gcm = new AesGcm(key, tagLength);
            gcm.Encrypt(nonce, plain, expected.AsSpan(0, length), expected.AsSpan(length), aad);
        }
        else
        {
            using var ccm = new AesCcm(key);
            ccm.Encrypt(nonce, plain, expected.AsSpan(0, length), expected.AsSpan(length), aad);
        }

        using var session = new AeadSession(algorithm, key, tagLength, sec.Runtime);
        byte[] sealedData = new byte[expected.Length];
        Assert.Equal(expected.Length, session.Encrypt(nonce, plain, sealedData, aad));
        Assert.Equal(expected, sealedData);
        byte[] opened = new byte[length];
        Assert.Equal(length, session.Decrypt(nonce, sealedData, opened, aad));
        Assert.Equal(plain, opened);
        Assert.Equal((2L, 0L), Counts(sec.Model, sec.Runtime));
    }

    [Theory]
    [InlineData(AeadAlgorithm.AesGcm, 12, 16)]
    [InlineData(AeadAlgorithm.AesCcm, 13, 8)]
    public void ATamperedTagOrTextFailsOnTheEngineAndReleasesNoPlaintext(AeadAlgorithm algorithm, int nonceLength, int tagLength)
    {
        KernelSec sec = Start();
        byte[] key = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(nonceLength);
        byte[] aad = RandomNumberGenerator.GetBytes(20), plain = RandomNumberGenerator.GetBytes(48);
        using var session = new AeadSession(algorithm, key, tagLength, sec.Runtime);
        byte[] sealedData = new byte[48 + tagLength];
        _ = session.Encrypt(nonce, plain, sealedData, aad);

        foreach (int flip in new[] { 48 + tagLength - 1, 0 })
        {
            byte[] tampered = (byte[])sealedData.Clone();
            tampered[flip] ^= 0x01;
            byte[] opened = RandomNumberGenerator.GetBytes(48);
            _ = Assert.Throws<AuthenticationTagMismatchException>(() => session.Decrypt(nonce, tampered, opened, aad));
            Assert.Equal(new byte[48], opened); // the engine wrote the plaintext; the driver cleared it
        }

        byte[] wrongAad = (byte[])aad.Clone();
        wrongAad[3] ^= 0x80;
        _ = Assert.Throws<AuthenticationTagMismatchException>(() => session.Decrypt(nonce, sealedData, new byte[48], wrongAad));

        // The engine ran all four; the queue goes on.
        Assert.Equal((4L, 0L), Counts(sec.Model, sec.Runtime));
        byte[] again = new byte[48];
        Assert.Equal(48, session.Decrypt(nonce, sealedData, again, aad));
        Assert.Equal(plain, again);
    }

    [Fact]
    public void WhatATypeTwoBdCannotCarryGoesToSoftwareCountedAndGivesTheRuntimesAnswer()
    {
        KernelSec sec = Start();
        byte[] key = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(12);
        using var gcm = new AeadSession(AeadAlgorithm.AesGcm, key, runtime: sec.Runtime);
        using var reference = new AesGcm(key, 16);

        // An empty message (the BD refuses a zero cipher length) and associated data longer than the 16-bit offset.
        foreach ((int aadLength, int length) in new[] { (0, 0), (16, 0), (65536, 32) })
        {
            byte[] aad = RandomNumberGenerator.GetBytes(aadLength), plain = RandomNumberGenerator.GetBytes(length);
            byte[] expected = new byte[length + 16], sealedData = new byte[length + 16];
            reference.Encrypt(nonce, plain, expected.AsSpan(0, length), expected.AsSpan(length), aad);
            Assert.Equal(expected.Length, gcm.Encrypt(nonce, plain, sealedData, aad));
            Assert.Equal(expected, sealedData);
        }

        Assert.Equal((0L, 3L), Counts(sec.Model, sec.Runtime));

        // CCM's associated data beyond MAX_CCM_AAD_LEN.
        using var ccm = new AeadSession(AeadAlgorithm.AesCcm, key, 16, sec.Runtime);
        using var ccmReference = new AesCcm(key);
        byte[] longAad = RandomNumberGenerator.GetBytes(HisiSecSqe.MaxCcmAadLength + 1), text = RandomNumberGenerator.GetBytes(16);
        byte[] ccmExpected = new byte[32], ccmSealed = new byte[32];
        ccmReference.Encrypt(nonce, text, ccmExpected.AsSpan(0, 16), ccmExpected.AsSpan(16), longAad);
        Assert.Equal(32, ccm.Encrypt(nonce, text, ccmSealed, longAad));
        Assert.Equal(ccmExpected, ccmSealed);
        Assert.Equal((0L, 4L), Counts(sec.Model, sec.Runtime));
    }

    [Fact]
    public void MalformedAeadRequestsGetTheSoftwareDevicesAnswerAndNeverReachTheEngine()
    {
        KernelSec sec = Start();
        using var raw = new SecHarness(sec.Runtime);
        byte[] key = new byte[16], nonce = new byte[12], block = new byte[16];
        Assert.Equal(CompletionStatus.BadRequest, raw.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesGcm, key, nonce, null, 11, block).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesGcm, key, new byte[16], null, 16, block).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesCcm, key, nonce, null, 5, block).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesCcm, new byte[20], nonce, null, 8, block).Status);
        Assert.Equal(CompletionStatus.OutOfSpace, raw.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesGcm, key, nonce, null, 16, block, dstLength: 31).Status);
        Assert.Equal(CompletionStatus.BadRequest, raw.Aead(Opcode.AeadDecrypt, AeadAlgorithm.AesGcm, key, nonce, null, 16, new byte[8]).Status);
        Assert.Equal(0, Counts(sec.Model, sec.Runtime).Engine);

        // A well-formed one runs on the engine afterwards (GCM test case 2).
        Assert.Equal("0388dace60b6a392f328c2b971b2fe78ab6e47d42cec13bdf53a67b21257bddf",
            ToHex(Ok(raw.Aead(Opcode.AeadEncrypt, AeadAlgorithm.AesGcm, key, nonce, null, 16, block))));
        Assert.Equal(1, Counts(sec.Model, sec.Runtime).Engine);
    }

    [Fact]
    public void AnEngineErrorOrAForeignCompletionFailsTheAeadRequestAndTheQueueGoesOn()
    {
        KernelSec sec = Start();
        byte[] key = RandomNumberGenerator.GetBytes(16), nonce = RandomNumberGenerator.GetBytes(12), plain = RandomNumberGenerator.GetBytes(64);
        using var session = new AeadSession(AeadAlgorithm.AesGcm, key, runtime: sec.Runtime);
        byte[] output = new byte[80], aad = [1, 2, 3];

        sec.Model.ForcedErrorType = 0x17;
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.Encrypt(nonce, plain, output, aad)).Message);
        sec.Model.ForcedErrorType = 0;
        sec.Model.ClearsDoneFlag = true;
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.Decrypt(nonce, output, new byte[64], aad)).Message);
        sec.Model.ClearsDoneFlag = false;
        sec.Model.ForcedTag = 0xBEEF;
        Assert.Contains("InternalError", Assert.Throws<WdException>(() => session.Encrypt(nonce, plain, output, aad)).Message);
        sec.Model.ForcedTag = null;

        Assert.Equal(80, session.Encrypt(nonce, plain, output, aad));
        using var reference = new AesGcm(key, 16);
        byte[] opened = new byte[64];
        reference.Decrypt(nonce, output.AsSpan(0, 64), output.AsSpan(64), opened, aad);
        Assert.Equal(plain, opened);
    }

    private static bool Available(AeadAlgorithm algorithm) => algorithm switch
    {
        AeadAlgorithm.AesGcm => AesGcm.IsSupported,
        AeadAlgorithm.AesCcm => AesCcm.IsSupported,
        AeadAlgorithm.ChaCha20Poly1305 => ChaCha20Poly1305.IsSupported,
        _ => true,
    };
}
