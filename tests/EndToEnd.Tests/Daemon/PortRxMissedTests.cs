using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Frames the kernel drops in a host port's receive ring are counted (vf_to_vm's
/// dropped_rx_missed, per port queue in by_queue): a testpmd guest stops taking frames, so its RX
/// queues fill, then the port's ring (the relay takes only what the guest has room for); a flood
/// from the namespace then overflows the ring. Once the guest takes frames again, every frame that
/// reached the daemon's end of the veth was either received by the relay and delivered, or
/// counted as missed.
/// </summary>
public sealed class PortRxMissedTests(ITestOutputHelper output)
{
    private const int RingSize = 256; // virtio_user's default queue_size
    private const int DatagramsPerFlood = 20000, Flows = 16;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("packet", 1)]
    [InlineData("packet", 2)]
    [InlineData("xdp", 1)]
    public void WhatAFullPortRingLosesIsCountedAndEveryOtherFrameIsDelivered(string driver, int queues)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var veth = VethAsPciFunction.Create(netns, sysfs, "0000:05:0e.0", TestAddresses.HostCidr, queues: queues);
        var config = new DaemonConfig(workDir) { MaxRelays = 1, Ports = [DaemonPort.Pci(0, veth.Address)], SysfsRoot = sysfs, PortDriver = driver };
        using var rig = DaemonWithFrontends.Start(config, netns, new FrontendOnRelay(0, ForwardMode.RxOnly, queues));
        var guest = rig.Frontend(0);
        guest.StopForwarding();
        netns.Run("ip", "neigh", "replace", TestAddresses.GuestIp, "lladdr", "02:00:00:00:00:02", "dev", veth.FarEnd);
        long arrivedBefore = netns.ReadCounters(veth.DaemonEnd).RxPackets;

        // Until every port queue's ring has overflowed: the flows hash unevenly over the fanout
        // sockets, so one queue's ring may fill floods before another's.
        for (int flood = 0; flood < 10 && QueuesThatMissed(rig.Daemon.Stats().Relay(0).VfToVm) < queues; flood++) Flood(netns);
        long arrived = netns.ReadCounters(veth.DaemonEnd).RxPackets - arrivedBefore;
        guest.StartForwarding();
        var stats = rig.Daemon.WaitForStats(s => s.Relay(0).VfToVm is var d && d.RxPackets + d.DroppedRxMissed >= arrived,
            Timeout, $"all {arrived} frames received or counted as missed").Relay(0).VfToVm;
        var received = guest.StopForwarding().PortTotals[0].RxPackets;
        guest.Stop();
        rig.Daemon.StopAndAssertCleanExit();

        output.WriteLine($"{arrived} frames reached the port: daemon {stats}; testpmd received {received}");
        Assert.True(stats.DroppedRxMissed > 0, stats.ToString());
        Assert.Equal(arrived, stats.RxPackets + stats.DroppedRxMissed);
        Assert.Equal(stats.RxPackets, stats.TxPackets);
        Assert.Equal(stats.DroppedRxMissed, stats.ByQueue!.Sum(q => q.RxMissed));
        // Each port queue (a socket of the fanout group, or the one socket) counts its own.
        Assert.Equal(Enumerable.Range(0, queues), stats.ByQueue!.Where(q => q.RxMissed > 0).Select(q => q.Queue));
        Assert.InRange(received, stats.TxPackets - queues * RingSize, stats.TxPackets);
    }

    private static int QueuesThatMissed(DirectionStats stats) => stats.ByQueue?.Count(q => q.RxMissed > 0) ?? 0;

    /// <summary>UDP datagrams to the guest's address on <see cref="Flows"/> ports, as fast as a socket sends them.</summary>
    private static void Flood(NetNamespace netns)
    {
        string script = "import socket\n" +
                        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                        "payload = bytes(1000)\n" +
                        $"for i in range({DatagramsPerFlood}):\n" +
                        "    try:\n" +
                        $"        s.sendto(payload, ('{TestAddresses.GuestIp}', 9 + i % {Flows}))\n" +
                        "    except OSError:\n" + // the namespace's own queues full: go on
                        "        pass\n";
        var result = netns.Run("/usr/bin/python3", "-c", script);
        Assert.True(result.Succeeded, result.ToString());
    }
}
