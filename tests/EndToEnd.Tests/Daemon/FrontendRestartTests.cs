using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>The frontend on a listening daemon dies; a new one on the same socket is served (split or packed rings).</summary>
public sealed class FrontendRestartTests
{
    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan DisconnectTimeout = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ListeningDaemonServesANewFrontendAfterTheFirstWasKilled(bool packed)
    {
        using var workDir = new TestWorkDir();
        var config = new DaemonConfig(workDir) { Ports = [DaemonPort.NullSink(0)] };
        var frontend = new FrontendOnRelay(0, ForwardMode.TxOnly, PackedRing: packed);
        using var daemon = DaemonProcess.Start(config);

        using (var killed = frontend.Start(config, "testpmd-killed"))
        {
            daemon.WaitForStats(stats => stats.Relay(0).VmToVf.RxPackets > 0, TrafficTimeout, "frames from the first testpmd");
            killed.Process.Stop(NativeSignals.SigKill);
        }
        var afterKill = daemon.WaitForStats(stats => !stats.Relay(0).VmConnected, DisconnectTimeout, "the killed frontend's disconnect");
        var leftByKilled = afterKill.Relay(0).VmToVf.RxPackets;

        using var second = frontend.Start(config, "testpmd-second");
        daemon.WaitForStats(stats => stats.Relay(0).VmToVf.RxPackets > leftByKilled, TrafficTimeout, "frames from the second testpmd");
        var sent = second.StopForwarding().PortTotals[0].TxPackets;
        // Its rings are still up: the daemon takes every frame sent before the frontend goes.
        daemon.WaitForStats(stats => stats.Relay(0).VmToVf.RxPackets - leftByKilled >= sent, TrafficTimeout, $"all {sent} frames of the second testpmd");
        second.Stop();
        var final = daemon.WaitForStats(stats => !stats.Relay(0).VmConnected, DisconnectTimeout, "the second frontend's disconnect");
        daemon.StopAndAssertCleanExit();

        // Every frame of the new frontend, on top of what the killed one left.
        Assert.Equal(sent, final.Relay(0).VmToVf.RxPackets - leftByKilled);
    }
}
