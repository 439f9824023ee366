namespace WarpDrive.TestSupport.HisiQm;

/// <summary>The engine behind one queue of a <see cref="HisiQmModel"/>: runs the SQE in a slot and writes its result
/// back into it, as the hardware does before it posts the CQE. Runs on the queue's worker only.</summary>
internal unsafe interface IHisiQmEngine : IDisposable
{
    /// <summary>Runs the SQE at <paramref name="slot"/> (the model's SQE size) and writes its result there. Never
    /// throws for what a request holds: a hostile SQE gets an error written back.</summary>
    void Execute(byte* slot);
}
