using System.Globalization;
using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Frames counted exactly through the daemon, with testpmd virtio_user as the VM: guest → host
/// on relay 0 (txonly into a null sink) and host → guest on relay 1 (a null source into rxonly),
/// in one daemon run per socket role, queue count and ring format (split, or packed: packed_vq=1).
/// </summary>
public sealed partial class TestpmdTrafficTests(ITestOutputHelper output)
{
    private const int RingPackedBit = 34;
    private const int GuestToHost = 0, HostToGuest = 1;
    private const int RingSize = 256; // virtio_user's default queue_size
    private static readonly TimeSpan TrafficTime = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(VhostSocketRole.BackendListens, 1)]
    [InlineData(VhostSocketRole.BackendListens, 2)]
    [InlineData(VhostSocketRole.FrontendListens, 1)]
    [InlineData(VhostSocketRole.FrontendListens, 2)]
    [InlineData(VhostSocketRole.BackendListens, 1, true)]
    [InlineData(VhostSocketRole.BackendListens, 2, true)]
    [InlineData(VhostSocketRole.FrontendListens, 1, true)]
    public void EveryFrameIsCountedOnBothSides(VhostSocketRole role, int queues, bool packed = false)
    {
        using var workDir = new TestWorkDir();
        var config = new DaemonConfig(workDir)
        {
            Role = role,
            MaxRelays = 2,
            Ports = [DaemonPort.NullSink(GuestToHost), DaemonPort.NullSource(HostToGuest)],
        };
        using var rig = DaemonWithFrontends.Start(config,
            new FrontendOnRelay(GuestToHost, ForwardMode.TxOnly, queues, packed),
            new FrontendOnRelay(HostToGuest, ForwardMode.RxOnly, queues, packed));
        AssertRingFormat(rig.Daemon, packed);
        var running = rig.Daemon.WaitForStats(
            stats => stats.Relay(GuestToHost).VmToVf.RxPackets > 0 && stats.Relay(HostToGuest).VfToVm.TxPackets > 0,
            Timeout, "frames both ways");
        Assert.Equal(queues, running.Relay(GuestToHost).GuestTxQueues);
        Assert.Equal(queues, running.Relay(HostToGuest).GuestRxQueues);

        Thread.Sleep(TrafficTime);
        var sent = rig.Frontend(GuestToHost).StopForwarding().PortTotals[0];
        var received = rig.Frontend(HostToGuest).StopForwarding().PortTotals[0];
        // testpmd's rings are still up: the daemon takes every frame sent, then the frontends go.
        rig.Daemon.WaitForStats(
            stats => stats.Relay(GuestToHost).VmToVf.RxPackets >= sent.TxPackets, Timeout, $"all {sent.TxPackets} frames taken from the guest");
        rig.Frontend(GuestToHost).Stop();
        rig.Frontend(HostToGuest).Stop();
        // Once the frontends are gone the daemon's counters are final.
        var final = rig.Daemon.WaitForStats(
            stats => !stats.Relay(GuestToHost).VmConnected && !stats.Relay(HostToGuest).VmConnected,
            Timeout, "both frontends disconnected");
        rig.Daemon.StopAndAssertCleanExit();

        var fromGuest = final.Relay(GuestToHost).VmToVf;
        var toGuest = final.Relay(HostToGuest).VfToVm;
        output.WriteLine($"guest→host: testpmd sent {sent.TxPackets}, daemon {fromGuest}");
        output.WriteLine($"host→guest: testpmd received {received.RxPackets}, daemon {toGuest}");
        Assert.True(sent.TxPackets > 0, rig.Frontend(GuestToHost).Process.LogTail());
        Assert.Equal(sent.TxPackets, fromGuest.RxPackets);
        Assert.Equal(sent.TxPackets, fromGuest.TxPackets);
        Assert.True(received.RxPackets > 0, rig.Frontend(HostToGuest).Process.LogTail());
        // Delivered but never counted by testpmd, at most one ring's worth per queue each: frames
        // put into the rings after testpmd stopped forwarding, and frames the daemon put there at
        // port start, which the virtio PMD frees uncounted ("Flush the old packets" in
        // virtio_dev_start: the rings went live at DRIVER_OK, in configure, and the PMD posts its
        // buffers, then flushes what is already used; --no-flush-rx does not reach this).
        Assert.InRange(toGuest.TxPackets - received.RxPackets, 0, 2L * RingSize * queues);
    }

    /// <summary>Both frontends negotiated the ring format asked for, as the daemon logs it.</summary>
    private static void AssertRingFormat(DaemonProcess daemon, bool packed)
    {
        daemon.WaitForStats(_ => NegotiatedFeatures().Matches(daemon.Process.LogText).Count >= 2, Timeout, "features negotiated on both sockets");
        foreach (Match match in NegotiatedFeatures().Matches(daemon.Process.LogText))
        {
            ulong features = ulong.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            Assert.Equal(packed, (features & (1UL << RingPackedBit)) != 0);
        }
    }

    [GeneratedRegex("negotiated virtio features 0x([0-9a-f]+)")]
    private static partial Regex NegotiatedFeatures();
}
