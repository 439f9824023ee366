using System.Security.Cryptography;
using WarpDrive.Abi;
using WarpDrive.Crypto;

namespace WarpDrive.Soak;

/// <summary>Synchronous and asynchronous crypto on the SEC and HPRE devices: SHA-256 digests (checked against
/// <see cref="SHA256"/>), AES-256-GCM seal and open on the device (checked against <see cref="AesGcm"/>), now and then
/// an open with a wrong tag that must fail (<see cref="AuthenticationTagMismatchException"/>, plaintext not released),
/// and occasionally RSA-2048 PKCS#1 v1.5 signing (checked with .NET's RSA) and verifying, of a good signature (true) and
/// a tampered one (false).</summary>
internal sealed class CryptoWorker(WdRuntime runtime, RequestLedger ledger, int seed) : LoadWorker(runtime, ledger, seed)
{
    private const int MaxLength = 64 << 10;

    public override async Task RunAsync(CancellationToken stop)
    {
        using var rsa = RSA.Create(2048);
        using RsaKey privateKey = RsaKey.FromRsa(rsa, includePrivate: true);
        using RsaKey publicKey = RsaKey.FromRsa(rsa, includePrivate: false);
        while (!stop.IsCancellationRequested)
        {
            byte[] key = RandomNumberGenerator.GetBytes(32);
            using var sha = new DigestSession(DigestAlgorithm.Sha256, runtime: Runtime);
            using var gcm = new AeadSession(AeadAlgorithm.AesGcm, key, 16, Runtime);
            using var reference = new AesGcm(key, 16);
            RsaSession? signer = null, verifier = null;
            try
            {
                for (int uses = SessionLifetime(); uses > 0 && !stop.IsCancellationRequested; uses--)
                {
                    bool isAsync = Random.Next(2) == 0;
                    switch (Random.Next(40))
                    {
                        case < 18:
                            await DigestAsync(sha, isAsync);
                            break;
                        case < 36:
                            await SealAndOpenAsync(gcm, reference, isAsync);
                            break;
                        case < 38:
                            await OpenWithWrongTagAsync(gcm, reference, isAsync);
                            break;
                        default:
                            signer ??= new RsaSession(privateKey, Runtime);
                            verifier ??= new RsaSession(publicKey, Runtime);
                            await SignAndVerifyAsync(signer, verifier, rsa, isAsync);
                            break;
                    }
                }
            }
            finally
            {
                signer?.Dispose();
                verifier?.Dispose();
            }
        }
    }

    private async Task DigestAsync(DigestSession sha, bool isAsync)
    {
        byte[] data = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        byte[] hash = new byte[32];
        long id = Ledger.Begin($"sha256 {(isAsync ? "async" : "sync")} {data.Length} B");
        try
        {
            int n = isAsync ? await sha.ComputeHashAsync(data, hash) : sha.ComputeHash(data, hash);
            Check(id, n == 32 && hash.AsSpan().SequenceEqual(SHA256.HashData(data)), "the digest differs from SHA256.HashData");
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
        }
    }

    private async Task SealAndOpenAsync(AeadSession gcm, AesGcm reference, bool isAsync)
    {
        byte[] plain = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        byte[] nonce = RandomNumberGenerator.GetBytes(12), aad = RandomNumberGenerator.GetBytes(Random.Next(0, 64));
        byte[] sealedBytes = new byte[plain.Length + 16];
        string how = isAsync ? "async" : "sync";
        long id = Ledger.Begin($"aes-gcm seal {how} {plain.Length} B");
        try
        {
            int n = isAsync ? await gcm.EncryptAsync(nonce, plain, sealedBytes, aad) : gcm.Encrypt(nonce, plain, sealedBytes, aad);
            byte[] opened = new byte[plain.Length];
            reference.Decrypt(nonce, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length), opened, aad);
            if (!Check(id, n == sealedBytes.Length && opened.AsSpan().SequenceEqual(plain), "AesGcm opens the device's seal to other bytes"))
            {
                return;
            }
        }
        catch (AuthenticationTagMismatchException)
        {
            Ledger.Mismatch(id, "AesGcm rejects the device's tag");
            return;
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
            return;
        }

        byte[] back = new byte[plain.Length];
        id = Ledger.Begin($"aes-gcm open {how} {sealedBytes.Length} B");
        try
        {
            int n = isAsync ? await gcm.DecryptAsync(nonce, sealedBytes, back, aad) : gcm.Decrypt(nonce, sealedBytes, back, aad);
            Check(id, n == plain.Length && back.AsSpan().SequenceEqual(plain), "the opened plaintext differs");
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
        }
    }

    private async Task OpenWithWrongTagAsync(AeadSession gcm, AesGcm reference, bool isAsync)
    {
        byte[] plain = SoakData.Make(Random, SoakData.Length(Random, MaxLength));
        byte[] nonce = RandomNumberGenerator.GetBytes(12);
        byte[] sealedBytes = new byte[plain.Length + 16];
        reference.Encrypt(nonce, plain, sealedBytes.AsSpan(0, plain.Length), sealedBytes.AsSpan(plain.Length));
        sealedBytes[^(1 + Random.Next(16))] ^= (byte)(1 << Random.Next(8));
        byte[] back = new byte[plain.Length];
        back.AsSpan().Fill(0x5A);
        long id = Ledger.Begin($"aes-gcm open with a wrong tag {(isAsync ? "async" : "sync")} {sealedBytes.Length} B");
        try
        {
            _ = isAsync ? await gcm.DecryptAsync(nonce, sealedBytes, back) : gcm.Decrypt(nonce, sealedBytes, back);
            Ledger.Mismatch(id, "a wrong tag was accepted");
        }
        catch (AuthenticationTagMismatchException)
        {
            if (back.AsSpan().ContainsAnyExcept((byte)0))
            {
                Ledger.Mismatch(id, "a wrong tag failed but the destination is not zeroed");
            }
            else
            {
                Ledger.ExpectedError(id);
            }
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
        }
    }

    private async Task SignAndVerifyAsync(RsaSession signer, RsaSession verifier, RSA rsa, bool isAsync)
    {
        byte[] hash = SHA256.HashData(SoakData.Make(Random, Random.Next(1, 4096)));
        byte[] signature = new byte[256];
        string how = isAsync ? "async" : "sync";
        HashAlgorithmName sha256 = HashAlgorithmName.SHA256;
        RSASignaturePadding pkcs1 = RSASignaturePadding.Pkcs1;
        long id = Ledger.Begin($"rsa-2048 sign {how}");
        try
        {
            int n = isAsync ? await signer.SignHashAsync(hash, signature, sha256, pkcs1) : signer.SignHash(hash, signature, sha256, pkcs1);
            if (!Check(id, n == 256 && rsa.VerifyHash(hash, signature, sha256, pkcs1), ".NET's RSA rejects the device's signature"))
            {
                return;
            }
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
            return;
        }

        bool tamper = Random.Next(2) == 0;
        if (tamper)
        {
            signature[Random.Next(256)] ^= (byte)(1 << Random.Next(8));
        }

        id = Ledger.Begin($"rsa-2048 verify {how} {(tamper ? "tampered" : "good")}");
        try
        {
            bool valid = isAsync ? await verifier.VerifyHashAsync(hash, signature, sha256, pkcs1) : verifier.VerifyHash(hash, signature, sha256, pkcs1);
            Check(id, valid != tamper, tamper ? "a tampered signature verified" : "a good signature did not verify");
        }
        catch (Exception e)
        {
            Ledger.Error(id, Describe(e));
        }
    }

    /// <summary>Ends the request: OK when <paramref name="right"/>, else a mismatch; returns <paramref name="right"/>.</summary>
    private bool Check(long id, bool right, string why)
    {
        if (right)
        {
            Ledger.Ok(id);
        }
        else
        {
            Ledger.Mismatch(id, why);
        }

        return right;
    }
}
