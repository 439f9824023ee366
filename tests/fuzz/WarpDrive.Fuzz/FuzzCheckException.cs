namespace WarpDrive.Fuzz;

/// <summary>A fuzz case broke a rule (the paths disagree, the oracle disagrees, a result is impossible): AFL++ records
/// it as a crash.</summary>
internal sealed class FuzzCheckException(string message) : Exception(message);
