using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using VirtioForwarder.Daemon.Options;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Daemon.Tests.Options;

/// <summary>
/// lockf locks are per process, so a second lockf from this test process would succeed. Another
/// process's view is simulated with an open-file-description (OFD) lock, which Linux makes
/// conflict with lockf's record locks even inside one process.
/// </summary>
[SupportedOSPlatform("linux")]
public unsafe partial class PidFileTests : IDisposable
{
    private const int F_OFD_SETLK = 37;
    private const short F_WRLCK = 1;

    private readonly TempDirectory _dir = new();

    [StructLayout(LayoutKind.Sequential)]
    private struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int FcntlLock(int fd, int cmd, Flock* lk);

    private string PidPath => _dir.Path + "/virtio-forwarder.pid";

    /// <summary>Opens the file and tries a whole-file OFD write lock; returns the fd (caller closes) and the outcome.</summary>
    private (int Fd, bool Locked) TryForeignLock()
    {
        int fd = Libc.Open(PidPath, Libc.O_RDWR | Libc.O_CREAT | Libc.O_CLOEXEC, 0b110_100_100);
        Assert.True(fd >= 0);
        var lk = new Flock { Type = F_WRLCK };
        return (fd, FcntlLock(fd, F_OFD_SETLK, &lk) == 0);
    }

    [Fact]
    public void WritesThePidAndRemovesTheFileOnDispose()
    {
        using (PidFile pidFile = PidFile.Acquire(_dir.Path))
        {
            Assert.Equal(PidPath, pidFile.Path);
            Assert.Equal($"{Environment.ProcessId}\n", File.ReadAllText(PidPath));
        }
        Assert.False(File.Exists(PidPath));
    }

    [Fact]
    public void FileModeIs0644UnderTheUsualUmask()
    {
        using PidFile pidFile = PidFile.Acquire(_dir.Path);
        UnixFileMode mode = File.GetUnixFileMode(PidPath);
        Assert.Equal(UnixFileMode.None, mode & (UnixFileMode.UserExecute | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute));
        Assert.True(mode.HasFlag(UnixFileMode.UserRead | UnixFileMode.UserWrite));
    }

    [Fact]
    public void StaleLongerContentIsReplaced()
    {
        File.WriteAllText(PidPath, "1234567890\n");
        using PidFile pidFile = PidFile.Acquire(_dir.Path, pid: 42);
        Assert.Equal("42\n", File.ReadAllText(PidPath));
    }

    [Fact]
    public void OthersCannotLockWhileHeldAndCanAfterDispose()
    {
        PidFile pidFile = PidFile.Acquire(_dir.Path);
        var (fd, locked) = TryForeignLock();
        Libc.Close(fd);
        Assert.False(locked);

        pidFile.Dispose();
        (fd, locked) = TryForeignLock();
        Libc.Close(fd);
        Assert.True(locked);
    }

    [Fact]
    public void AcquireFailsWhileAnotherHoldsTheLockAndLeavesTheFile()
    {
        File.WriteAllText(PidPath, "999\n");
        var (fd, locked) = TryForeignLock();
        try
        {
            Assert.True(locked);
            var error = Assert.Throws<StartupException>(() => PidFile.Acquire(_dir.Path));
            Assert.Contains("is another virtio-forwarder running?", error.Message);
            Assert.Equal("999\n", File.ReadAllText(PidPath));
        }
        finally
        {
            Libc.Close(fd);
        }
        using PidFile pidFile = PidFile.Acquire(_dir.Path);
    }

    [Fact]
    public void MissingDirectoryFails() =>
        Assert.Contains("Could not create PID file", Assert.Throws<StartupException>(() => PidFile.Acquire(_dir.Path + "/missing")).Message);

    [Fact]
    public void DisposeTwiceIsHarmless()
    {
        PidFile pidFile = PidFile.Acquire(_dir.Path);
        pidFile.Dispose();
        pidFile.Dispose();
        Assert.False(File.Exists(PidPath));
    }

    public void Dispose()
    {
        _dir.Dispose();
        GC.SuppressFinalize(this);
    }
}
