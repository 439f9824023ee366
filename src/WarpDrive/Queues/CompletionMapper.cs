using WarpDrive.Abi;

namespace WarpDrive.Queues;

/// <summary>Turns a completion into an algorithm library's result (bytes produced) or throws the exception its status
/// stands for. Static lambdas only: one is stored per request and must not allocate.</summary>
internal delegate int CompletionMapper(in Cqe cqe);
