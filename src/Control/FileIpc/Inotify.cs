using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.FileIpc;

/// <summary>An inotify instance watching one directory for files finished being written or moved in.</summary>
internal sealed unsafe partial class Inotify : IDisposable
{
    private const int IN_CLOEXEC = 0x80000, IN_NONBLOCK = 0x800;
    private const uint IN_CLOSE_WRITE = 0x8, IN_MOVED_TO = 0x80;

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static partial int Init(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int AddWatch(int fd, string path, uint mask);

    public int Fd { get; private set; } = (int)Errno.Check(Init(IN_CLOEXEC | IN_NONBLOCK), "inotify_init1");

    /// <summary>Watches <paramref name="directory"/>; false (errno in <see cref="Errno.Last"/>) when it cannot, e.g. it does not exist yet.</summary>
    public bool TryWatch(string directory) => AddWatch(Fd, directory, IN_CLOSE_WRITE | IN_MOVED_TO) >= 0;

    /// <summary>Reads and discards the pending events; the caller looks at the file itself.</summary>
    public void Drain()
    {
        byte* buffer = stackalloc byte[4096];
        while (Libc.Read(Fd, buffer, 4096) > 0) { }
    }

    public void Dispose()
    {
        if (Fd >= 0) { Libc.Close(Fd); Fd = -1; }
    }
}
