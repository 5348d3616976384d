using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A daemon in client mode (-i) is stopped and started again while its frontend keeps listening
/// on the socket: the new daemon connects, and the frontend's traffic flows again.
/// </summary>
public sealed class DaemonRestartTests
{
    private static readonly TimeSpan GuestTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void GuestPingsAgainThroughTheRestartedDaemon()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        var config = GuestOnDaemon.Config(workDir, VhostSocketRole.FrontendListens);
        // The guest waits long enough for a daemon restart, then pings a second time.
        using var link = GuestOnDaemon.Start(config, netns, new GuestConfig { WaitSeconds = 6, PingAgain = true });

        link.WaitForSerial(GuestSerial.PingOk, GuestTimeout);
        link.WaitForSerial(GuestSerial.Waiting, GuestTimeout);
        link.RestartDaemon("daemon-restarted");
        link.WaitForSerial(GuestSerial.Ping2Ok, GuestTimeout);
        var relay = link.Daemon.Stats().Relay(0);
        Assert.Equal(0, link.Guest.WaitForExit(GuestTimeout));
        link.Daemon.StopAndAssertCleanExit();

        // The second round went through the new daemon: three requests and three replies.
        Assert.True(relay.VmToVf.TxPackets >= 3 && relay.VfToVm.TxPackets >= 3, relay.ToString());
    }
}
