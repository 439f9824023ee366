using WarpDrive.Abi.Broker;

namespace WarpDrive.Broker;

/// <summary>Why the broker says no: the status a reply carries and the message that explains it.</summary>
internal readonly record struct Refusal(BrokerStatus Status, string Message);
