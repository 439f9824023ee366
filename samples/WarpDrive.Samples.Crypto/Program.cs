using System.Security.Cryptography;
using System.Text;
using WarpDrive.Abi;
using WarpDrive.Crypto;

// Crypto: the SEC device model comes with the package WarpDrive.Devices.Crypto, which libwd's embedded default finds
// by itself once the application references it (sec-0 beside zip-0).
byte[] message = Encoding.UTF8.GetBytes("WarpDrive for .NET: a digest and an AEAD on the SEC device");

using var sha = new DigestSession(DigestAlgorithm.Sha256);
byte[] hash = new byte[32];
sha.ComputeHash(message, hash);
string same = hash.AsSpan().SequenceEqual(SHA256.HashData(message)) ? "matches" : "DIFFERS FROM";
Console.WriteLine($"sha256 on {sha.Device.Name}: {Convert.ToHexStringLower(hash)} ({same} the runtime's)");

byte[] key = RandomNumberGenerator.GetBytes(32), nonce = RandomNumberGenerator.GetBytes(12);
using var gcm = new AeadSession(AeadAlgorithm.AesGcm, key);
byte[] sealedMessage = new byte[message.Length + 16]; // ciphertext || tag
int n = gcm.Encrypt(nonce, message, sealedMessage);
byte[] opened = new byte[message.Length];
await gcm.DecryptAsync(nonce, sealedMessage.AsMemory(0, n), opened);
Console.WriteLine($"aes-gcm on {gcm.Device.Name}: {n} bytes sealed, opened {(opened.AsSpan().SequenceEqual(message) ? "same" : "DIFFERENT")}");
