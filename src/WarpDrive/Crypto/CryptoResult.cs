using WarpDrive.Abi;

namespace WarpDrive.Crypto;

/// <summary>The outcome of a crypto request submitted with a callback.</summary>
/// <param name="Status">Device status: <see cref="CompletionStatus.Ok"/>; <see cref="CompletionStatus.AuthFailed"/> for an
/// AEAD tag that does not match; <see cref="CompletionStatus.Disabled"/> when the request's queue stopped being served
/// before it completed; other statuses as in docs/QUEUE-ABI.md.</param>
/// <param name="Produced">Bytes written to the destination.</param>
public readonly record struct CryptoResult(CompletionStatus Status, int Produced)
{
    /// <summary>Whether the request succeeded.</summary>
    public bool IsOk => Status == CompletionStatus.Ok;

    internal static CryptoResult From(in Cqe cqe) => new(cqe.Status, cqe.Status == CompletionStatus.Ok ? (int)cqe.Produced : 0);
}
