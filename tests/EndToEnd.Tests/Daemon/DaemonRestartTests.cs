using System.Diagnostics;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A daemon in client mode (-i) is stopped and started again while its frontend keeps listening
/// on the socket: the new daemon connects, and the frontend's traffic flows again (split or packed rings).
/// </summary>
public sealed class DaemonRestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan GuestTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TestpmdTrafficResumesThroughTheRestartedDaemon(bool packed)
    {
        using var workDir = new TestWorkDir();
        var config = new DaemonConfig(workDir) { Role = VhostSocketRole.FrontendListens, Ports = [DaemonPort.NullSink(0)] };
        using var testpmd = new FrontendOnRelay(0, ForwardMode.TxOnly, PackedRing: packed).Start(config);

        using (var first = DaemonProcess.Start(config, name: "daemon-first"))
        {
            first.WaitForStats(stats => stats.Relay(0).VmToVf.RxPackets > 0, TrafficTimeout, "frames before the restart");
            first.StopAndAssertCleanExit();
        }
        var clock = Stopwatch.StartNew();
        using var second = DaemonProcess.Start(config, name: "daemon-second");
        second.WaitForStats(stats => stats.Relay(0).VmToVf.RxPackets > 0, TrafficTimeout, "frames after the restart");
        output.WriteLine($"traffic again {clock.Elapsed.TotalSeconds:F1} s after the new daemon was started");
        second.StopAndAssertCleanExit();
        Assert.False(testpmd.Process.HasExited, testpmd.Process.LogTail());
    }

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
