using System.Globalization;
using System.Text;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// Upstream's single-instance guard (contract §8, row -p): <c>&lt;dir&gt;/virtio-forwarder.pid</c>,
/// created mode 0644, locked with <c>lockf(F_TLOCK)</c>, holding <c>"&lt;pid&gt;\n"</c>, removed on a
/// clean exit. The post-stop script reads this file, so name and content must not change.
/// <para>
/// lockf locks belong to the process, not the descriptor: a second <see cref="Acquire"/> in the
/// same process succeeds, and closing any descriptor of the file drops the lock. One per process.
/// </para>
/// </summary>
public sealed unsafe class PidFile : IDisposable
{
    private int _fd;

    private PidFile(string path, int fd) => (Path, _fd) = (path, fd);

    /// <summary>The locked file's path.</summary>
    public string Path { get; }

    /// <summary>
    /// Creates and locks the pid file in <paramref name="directory"/> and writes
    /// <paramref name="pid"/> (default: this process). Throws <see cref="StartupException"/> if the
    /// file cannot be opened or another process holds the lock; the daemon then exits 1 (§8.3).
    /// </summary>
    public static PidFile Acquire(string directory, int? pid = null)
    {
        string path = directory + "/" + DaemonOptions.PidFileName;
        int fd = Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_100_100);
        if (fd < 0)
            throw new StartupException($"Could not create PID file '{path}': {Errno.Describe(Errno.Last)}");
        if (Libc.Lockf(fd, Libc.F_TLOCK, 0) < 0)
        {
            int errno = Errno.Last;
            Libc.Close(fd); // the file stays: it belongs to the process holding the lock
            throw new StartupException(
                $"Could not lock PID file '{path}', is another virtio-forwarder running? {Errno.Describe(errno)}");
        }
        var pidFile = new PidFile(path, fd);
        try
        {
            pidFile.WritePid(pid ?? Environment.ProcessId);
        }
        catch
        {
            pidFile.Dispose();
            throw;
        }
        return pidFile;
    }

    /// <summary>Removes the file, then closes it (which releases the lock).</summary>
    public void Dispose()
    {
        if (_fd < 0) return;
        File.Delete(Path);
        Libc.Close(_fd);
        _fd = -1;
    }

    // Truncate first: upstream does not, and a shorter pid would leave the tail of a stale one.
    private void WritePid(int pid)
    {
        byte[] text = Encoding.ASCII.GetBytes(pid.ToString(CultureInfo.InvariantCulture) + "\n");
        bool written;
        fixed (byte* p = text)
            written = Libc.Ftruncate(_fd, 0) == 0 && Libc.Write(_fd, p, (nuint)text.Length) == text.Length;
        if (!written)
            throw new StartupException($"Could not write PID file '{Path}': {Errno.Describe(Errno.Last)}");
    }
}
