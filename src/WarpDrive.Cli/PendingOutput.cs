using System.Runtime.InteropServices;

namespace WarpDrive.Cli;

/// <summary>An output file written to a temporary name beside it and renamed into place only on success, so that a
/// failed or interrupted run leaves nothing half-written: the temporary file is removed on failure and from SIGINT,
/// SIGTERM and SIGHUP (the process then ends as the signal asks).</summary>
internal static class PendingOutput
{
    private static string? s_pending; // the temporary output not yet renamed into place

    /// <summary>Removes the pending file when one of the usual stop signals arrives, until disposed.</summary>
    public static IDisposable WatchSignals() => new Registrations(
        [.. new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP }.Select(signal => PosixSignalRegistration.Create(signal, _ => Remove()))]);

    /// <summary>Creates the temporary file for <paramref name="outputPath"/>.</summary>
    public static FileStream Create(string outputPath, UnixFileMode? mode = null)
    {
        string full = Path.GetFullPath(outputPath);
        if (Directory.Exists(full))
        {
            throw new IOException("is a directory");
        }

        string directory = Path.GetDirectoryName(full)!;
        string temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.wd-{Environment.ProcessId}-{Path.GetFileNameWithoutExtension(Path.GetRandomFileName())}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 1 };
        if (mode is { } m)
        {
            options.UnixCreateMode = m;
        }

        var stream = new FileStream(temporary, options);
        s_pending = temporary;
        return stream;
    }

    /// <summary>Closes <paramref name="sink"/> and moves the temporary file onto <paramref name="outputPath"/>, first
    /// giving it <paramref name="attributes"/> when there are some (gzip keeps its input's mode and time).</summary>
    public static void Commit(Stream sink, string outputPath, FileAttributesToKeep? attributes = null)
    {
        sink.Dispose();
        // A signal before the move removes the temporary file (the move then fails); one after it finds the name gone.
        string temporary = Volatile.Read(ref s_pending) ?? throw new IOException("interrupted");
        if (attributes is { } keep)
        {
            File.SetUnixFileMode(temporary, keep.Mode); // the creation mode passed the umask; this one does not
            File.SetLastWriteTimeUtc(temporary, keep.LastWriteUtc);
            File.SetLastAccessTimeUtc(temporary, keep.LastAccessUtc);
        }

        File.Move(temporary, outputPath, overwrite: true);
        Interlocked.CompareExchange(ref s_pending, null, temporary);
    }

    /// <summary>Deletes the temporary output, if one is pending.</summary>
    public static void Remove()
    {
        if (Interlocked.Exchange(ref s_pending, null) is string temporary)
        {
            try
            {
                File.Delete(temporary);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>The mode and times an output takes over from its input.</summary>
    public readonly record struct FileAttributesToKeep(UnixFileMode Mode, DateTime LastWriteUtc, DateTime LastAccessUtc)
    {
        /// <summary>Those of the file at <paramref name="path"/>, or of the file a symbolic link there leads to (stat(2),
        /// as the tools do).</summary>
        public static FileAttributesToKeep Of(string path)
        {
            string file = new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;
            return new(File.GetUnixFileMode(file), File.GetLastWriteTimeUtc(file), File.GetLastAccessTimeUtc(file));
        }
    }

    private sealed class Registrations(PosixSignalRegistration[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (PosixSignalRegistration registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
