namespace WarpDrive.Compression;

/// <summary>Receives the result of a request submitted with <see cref="CompressionSession.TrySubmit"/>,
/// <see cref="CompressionSession.SubmitAsync"/> or <see cref="CompressionSession.SubmitBatch"/> (UADK's req->cb).</summary>
/// <param name="result">The result; <see cref="Abi.CompletionStatus.Disabled"/> when the request's queue stopped being
/// served before it completed (its device was isolated or its broker went away).</param>
/// <param name="state">The state given with the request.</param>
/// <remarks>Runs on the thread that reaps the completion: a library polling thread, the caller of <c>Poll</c>, or (Mix
/// mode's inline requests) the submitting thread before the submit call returns. Keep it short and never block in it:
/// a blocked callback holds up every completion behind it. An exception thrown by a callback escapes from
/// <c>Poll</c>, or ends the process when a library thread ran it (like any unhandled exception); the other completions
/// of the burst are delivered first. The request's buffers are released before the callback runs.</remarks>
public delegate void CompressionCallback(in CompressionResult result, object? state);
