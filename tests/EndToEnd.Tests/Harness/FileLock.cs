using VirtioForwarder.Platform;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// An exclusive lockf lock on a file, held until Dispose: serializes work between test
/// processes (lockf locks belong to a process, so threads of one process need a lock of their own).
/// </summary>
public sealed class FileLock : IDisposable
{
    private const int WaitForLock = 1; // lockf F_LOCK: block until the lock is free

    private readonly int _fd;

    private FileLock(int fd) => _fd = fd;

    public static FileLock Acquire(string path)
    {
        var fd = (int)Errno.Check(Libc.Open(path, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0x1a4), $"open {path}");
        if (Libc.Lockf(fd, WaitForLock, 0) != 0)
        {
            var error = new SystemCallException($"lockf {path}", Errno.Last);
            Libc.Close(fd);
            throw error;
        }
        return new FileLock(fd);
    }

    // Closing the descriptor releases the lock.
    public void Dispose() => Libc.Close(_fd);
}
