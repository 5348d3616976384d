using VirtioForwarder.EndToEnd.Tests.Harness;
using VirtioForwarder.Platform;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// SIGTERM while a frontend is forwarding: exit 0 within 5 s, and the daemon takes away the
/// files it made (pid file, control socket, the sockets it listened on) but not a socket a
/// listening frontend made.
/// </summary>
public sealed class ShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(VhostSocketRole.BackendListens)]
    [InlineData(VhostSocketRole.FrontendListens)]
    public void SigtermUnderTrafficExitsCleanlyAndLeavesNoFiles(VhostSocketRole role)
    {
        using var workDir = new TestWorkDir();
        var config = new DaemonConfig(workDir)
        {
            Role = role,
            MaxRelays = 2,
            Ports = [DaemonPort.NullSink(0), DaemonPort.NullSource(1)],
        };
        using var rig = DaemonWithFrontends.Start(config, new FrontendOnRelay(0, ForwardMode.TxOnly));
        rig.Daemon.WaitForStats(stats => stats.Relay(0).VmToVf.TxPackets > 0, TrafficTimeout, "traffic on relay 0");
        Assert.Equal($"{rig.Daemon.Process.Pid}", File.ReadAllText(config.PidFile).Trim());

        var took = rig.Daemon.StopAndAssertCleanExit();

        output.WriteLine($"stopped in {took.TotalMilliseconds:F0} ms; left in the folder: {string.Join(' ', Directory.GetFileSystemEntries(workDir.Path).Select(Path.GetFileName))}");
        Assert.False(File.Exists(config.PidFile), "pid file left behind");
        Assert.False(File.Exists(config.ControlSocket), "control socket left behind");
        // Relay 1 has no frontend: in client mode nothing made its socket, in server mode the daemon did.
        Assert.False(File.Exists(config.SocketPath(1)), "relay 1's socket left behind");
        // Relay 0's socket belongs to whoever listened on it.
        Assert.Equal(role == VhostSocketRole.FrontendListens, FileType.IsSocket(config.SocketPath(0)));
    }
}
