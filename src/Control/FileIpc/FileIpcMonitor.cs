using VirtioForwarder.Control.LegacyPorts;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Control.FileIpc;

/// <summary>
/// Upstream's file IPC (-I, contract §8.4): a command written to /tmp/vio_cmd is read, the file
/// deleted, and the port added or removed. Upstream looks for the file every millisecond, waking a
/// thread a thousand times a second to wait for a person or script. This thread sleeps in poll(2)
/// on inotify instead: it wakes when a file in that directory is closed after writing or moved in,
/// so it costs nothing while idle, reacts at once, and never reads a file its writer has not
/// finished (the 1 ms poll could read it half-written, then delete it). A file already there at
/// start is taken too. The path is VIRTIOFWD_IPC_FILE when set, so tests need not share /tmp/vio_cmd.
/// </summary>
public sealed class FileIpcMonitor : IDisposable
{
    public const string DefaultPath = "/tmp/vio_cmd";
    public const string PathVariable = "VIRTIOFWD_IPC_FILE";

    // Upstream reads 128 bytes; a command is one short line.
    private const int MaxCommandBytes = 4096;
    // How often to try again to watch a directory that does not exist yet.
    private const int WatchRetryMs = 1000;

    private readonly string _path;
    private readonly Action<PortChange> _apply;
    private readonly EventFd _stop = EventFd.Create();
    private readonly Thread _thread;

    public FileIpcMonitor(string path, Action<PortChange> apply)
    {
        _path = Path.GetFullPath(path);
        _apply = apply;
        _thread = new Thread(Run) { Name = "file-ipc", IsBackground = true };
        _thread.Start();
    }

    public static string PathFromEnvironment() =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } p ? p : DefaultPath;

    private unsafe void Run()
    {
        using var inotify = new Inotify();
        string directory = Path.GetDirectoryName(_path)!;
        bool watching = false, reported = false;
        Log.Info($"file IPC: taking add_port/del_port commands from {_path}");
        var fds = stackalloc PollFd[2];
        while (true)
        {
            if (!watching && !(watching = inotify.TryWatch(directory)) && !reported)
            {
                Log.Warning($"file IPC: cannot watch {directory}: {Errno.Describe(Errno.Last)}; trying again every second");
                reported = true;
            }
            TakeCommand();
            fds[0] = new PollFd { Fd = inotify.Fd, Events = Libc.POLLIN };
            fds[1] = new PollFd { Fd = _stop.Fd, Events = Libc.POLLIN };
            Libc.Poll(fds, 2, watching ? -1 : WatchRetryMs);
            if (fds[1].Revents != 0) return;
            inotify.Drain();
        }
    }

    private void TakeCommand()
    {
        string text;
        try
        {
            using (var file = new FileStream(_path, FileMode.Open, FileAccess.Read))
            {
                var buffer = new byte[MaxCommandBytes];
                text = System.Text.Encoding.UTF8.GetString(buffer, 0, file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false));
            }
            // An empty file is one its writer has created but not yet written (the check at start
            // or after a wake-up can come between the two): leave it, its close wakes us again.
            if (text.Length == 0) return;
            File.Delete(_path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warning($"file IPC: cannot take {_path}: {e.Message}");
            return;
        }
        if (IpcCommand.Parse(text, out string problem) is { } change)
        {
            Log.Debug($"file IPC: {change}");
            _apply(change);
        }
        else
            Log.Warning($"file IPC: {_path}: {problem}");
    }

    public void Dispose()
    {
        _stop.Signal();
        _thread.Join(TimeSpan.FromSeconds(2));
        _stop.Dispose();
    }
}
