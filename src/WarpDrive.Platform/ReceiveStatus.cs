namespace WarpDrive.Platform;

/// <summary>What one <see cref="UnixSeqPacketSocket.Receive"/> found.</summary>
public enum ReceiveStatus
{
    /// <summary>A message arrived: its length, its descriptors and its sender are in the out parameters.</summary>
    Message = 0,

    /// <summary>End of stream: the peer closed its end, or <see cref="UnixSeqPacketSocket.Shutdown"/> was called here.</summary>
    EndOfStream = 1,

    /// <summary>Nothing there yet (EAGAIN): the socket is non-blocking, or the receive timeout passed.</summary>
    WouldBlock = 2,

    /// <summary>
    /// A message arrived and was rejected: it was truncated (longer than the buffer, MSG_TRUNC), its control data was
    /// (MSG_CTRUNC: more than <see cref="UnixSeqPacketSocket.MaxFileDescriptors"/> descriptors), or it carried more
    /// descriptors than the caller had room for. The message is consumed and every descriptor it brought is closed.
    /// </summary>
    Rejected = 3,
}
