namespace WarpDrive.Cli;

/// <summary>Inputs of the file commands.</summary>
internal static class InputFile
{
    /// <summary>Opens a named input for a sequential read; a directory is an I/O error with a clear message.</summary>
    public static FileStream Open(string path)
    {
        if (Directory.Exists(path))
        {
            throw new IOException("is a directory");
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the input ends; returns the bytes read.</summary>
    public static int ReadFull(Stream source, Span<byte> buffer)
    {
        int total = 0;
        int n;
        while (total < buffer.Length && (n = source.Read(buffer[total..])) > 0)
        {
            total += n;
        }

        return total;
    }
}
