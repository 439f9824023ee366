using System.Security.Cryptography;
using WarpDrive.Devices.Engines;

namespace WarpDrive.Cli.Bench;

/// <summary>The library call a request stands for, in the caller's thread with no queue: the ZIP device's own deflate
/// engine (ISA-L or zlib, same level and window; libzstd or ZstdSharp, liblz4 or K4os for zstd and LZ4), and System.Security.Cryptography for the crypto. The direct mode
/// and the socket server both run it.</summary>
internal sealed class DirectOperation : IDisposable
{
    private readonly BenchSettings _settings;
    private readonly BlockCodec? _codec;
    private readonly AesGcm? _gcm;
    private readonly Aes? _aes;
    private readonly RSA? _rsa;
    private readonly byte[] _nonce = new byte[12];
    private readonly byte[] _iv = new byte[16];

    public DirectOperation(BenchInput input)
    {
        _settings = input.Settings;
        switch (_settings.Algorithm.Kind)
        {
            case BenchAlgorithmKind.Compression:
                _codec = BlockCodec.Best(BenchInput.CompAlgorithmOf(_settings.Algorithm), compress: !_settings.Decompress);
                break;
            case BenchAlgorithmKind.AesGcm:
                _gcm = new AesGcm(input.Key.AsSpan(0, _settings.Algorithm.KeyLength), 16);
                break;
            case BenchAlgorithmKind.AesCbc:
                _aes = Aes.Create();
                _aes.Key = input.Key.AsSpan(0, _settings.Algorithm.KeyLength).ToArray();
                break;
            case BenchAlgorithmKind.RsaSign:
                _rsa = RSA.Create(input.Rsa!.ExportParameters(includePrivateParameters: true));
                break;
        }
    }

    /// <summary>Runs one request.</summary>
    /// <returns>Bytes written to <paramref name="output"/>.</returns>
    /// <exception cref="InvalidOperationException">The codec failed.</exception>
    public int Run(ReadOnlySpan<byte> input, Span<byte> output)
    {
        switch (_settings.Algorithm.Kind)
        {
            case BenchAlgorithmKind.Compression:
                int n = _codec!.Process(BenchInput.CompAlgorithmOf(_settings.Algorithm), _settings.Level, 15, input, output);
                return n > 0 ? n : throw new InvalidOperationException("the engine failed on a block");
            case BenchAlgorithmKind.Sha256:
                return SHA256.HashData(input, output);
            case BenchAlgorithmKind.AesGcm:
                _gcm!.Encrypt(_nonce, input, output[..input.Length], output.Slice(input.Length, 16));
                return input.Length + 16;
            case BenchAlgorithmKind.AesCbc:
                return _aes!.EncryptCbc(input, _iv, output, PaddingMode.None);
            case BenchAlgorithmKind.RsaSign:
                return _rsa!.SignHash(input, output, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            default:
                return 0;
        }
    }

    public void Dispose()
    {
        _codec?.Dispose();
        _gcm?.Dispose();
        _aes?.Dispose();
        _rsa?.Dispose();
    }
}
