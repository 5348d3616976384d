using VirtioForwarder.Daemon.Tests.Systemd;

namespace VirtioForwarder.Daemon.Tests.Packaging;

/// <summary>
/// The service as systemd runs it, minus systemd: the installed scripts and the published daemon,
/// every path in a temporary directory. ExecStartPre, ExecStart with $NOTIFY_SOCKET (READY=1,
/// then SIGTERM as "systemctl stop" sends, STOPPING=1), then ExecStopPost.
/// </summary>
public sealed class InstalledServiceTests : IDisposable
{
    private readonly ServiceConfig _config = new();

    private string Root => _config.Temp.Path;

    [Fact]
    public void PreStartStartStopPostStop()
    {
        RepositoryPaths.PublishedDaemon();
        Pass(ProgramRun.Run(RepositoryPaths.Installer,
            [$"--from={RepositoryPaths.PublishedBin}", $"--libdir={Root}/lib", $"--bindir={Root}/bin", $"--confdir={Root}/etc", $"--unitdir={Root}/units"],
            new Dictionary<string, string>()));
        _config.Write(
            "VIRTIOFWD_CPU_MASK=1", "VIRTIOFWD_MASTER_LCORE=0", $"VIRTIOFWD_PID_DIR={Root}/run", $"VIRTIOFWD_HUGETLBFS_MOUNT_POINT={Root}",
            $"VIRTIOFWD_ZMQ_PORT_CONTROL_EP=ipc://{Root}/run/zmq/port_control", $"VIRTIOFWD_ZMQ_STATS_EP=ipc://{Root}/run/zmq/stats",
            $"VIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc://{Root}/run/zmq/core_sched",
            $"VIRTIOFWD_SOCKET_DIR={Root}/sockets", $"VIRTIOFWD_SOCKET_OWNER={Environment.UserName}", $"VIRTIOFWD_SOCKET_GROUP={GroupName()}",
            "VIRTIOFWD_VHOST_CLIENT=", "VIRTIOFWD_STATIC_VFS=(null=0 null:64=1)", "VIRTIOFWD_MAX_RELAYS=2",
            $"VIRTIOFWD_CONTROL_SOCKET={Root}/run/vfwd.ctl");
        string pidFile = $"{Root}/run/virtio-forwarder.pid";
        Directory.CreateDirectory($"{Root}/run");
        File.WriteAllText(pidFile, "999999\n"); // left by a crash

        Pass(ProgramRun.Run($"{Root}/lib/vio4wd-pre-start.sh", [], _config.Environment()));
        Assert.False(File.Exists(pidFile));
        Assert.True(Directory.Exists($"{Root}/run/zmq"));

        using var listener = NotifyListener.Abstract();
        using var service = new RunningProgram($"{Root}/lib/vio4wd-start.sh", [],
            _config.Environment($"{SystemdNotify.SocketVariable}={listener.Name}"));
        listener.AssertReady(service);
        // The script replaced itself with the daemon: systemd's main pid is the daemon's.
        Assert.Equal($"{service.Id}\n", File.ReadAllText(pidFile));
        Assert.True(File.Exists($"{Root}/sockets/virtio-forwarder0.sock") && File.Exists($"{Root}/sockets/virtio-forwarder1.sock"));
        ProgramResult stats = ProgramRun.Run($"{Root}/bin/vfwdctl", ["stats", "--control-socket", $"{Root}/run/vfwd.ctl"], new Dictionary<string, string>());
        Assert.True(stats.ExitCode == 0, stats.ToString());

        listener.AssertStopsCleanly(service);
        Pass(ProgramRun.Run($"{Root}/lib/vio4wd-post-stop.sh", [], _config.Environment()));
        Assert.False(File.Exists(pidFile));
    }

    private static string GroupName() => Pass(ProgramRun.Run("id", ["-gn"], new Dictionary<string, string>())).Stdout.Trim();

    private static ProgramResult Pass(ProgramResult result)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        return result;
    }

    public void Dispose() => _config.Dispose();
}
