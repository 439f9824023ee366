namespace WarpDrive.Compression;

/// <summary>One request of a batch (<see cref="CompressionSession.SubmitBatch"/>,
/// <see cref="CompressionSession.ProcessBatch"/>).</summary>
/// <param name="Source">Input bytes.</param>
/// <param name="Destination">Output buffer.</param>
/// <param name="State">Handed to the completion callback with this request's result.</param>
public readonly record struct CompressionRequest(ReadOnlyMemory<byte> Source, Memory<byte> Destination, object? State = null);
