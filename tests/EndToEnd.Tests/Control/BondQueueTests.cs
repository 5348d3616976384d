using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Daemon;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using Pci = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.PciAddress;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// A bond of two-queue members has two queues, bond queue i over queue i of each member (as DPDK's
/// bonding maps them): port control ADDs a round-robin bond (mode 0) of two veths of two queues
/// each, posing as PCI functions, to the relay of a testpmd frontend with two queue pairs that
/// sends back every frame it receives on the queue it came in on (io forwarding). The namespace
/// sends UDP datagrams to 16 ports through the first veth, which its two transmit queues (and
/// AF_PACKET's fanout hash) spread over the daemon end's two queues; the echoes leave on both
/// members in turn and are counted at the far ends. Every datagram goes in and comes back out, none counted as dropped, and the
/// bond's per-queue totals (logged as it closes) show both of its queues carried frames both ways.
/// </summary>
public sealed partial class BondQueueTests(ITestOutputHelper output)
{
    private const int Queues = 2, Datagrams = 2000, Flows = 16;
    private const string Bond = "bond_mq";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly Pci First = new() { Domain = 0, Bus = 5, Slot = 0xe, Function = 0 };
    private static readonly Pci Second = new() { Domain = 0, Bus = 5, Slot = 0xe, Function = 1 };

    [GeneratedRegex(@"queue (\d+) received (\d+), sent (\d+)")]
    private static partial Regex QueueTotals();

    [Theory]
    [InlineData("packet")]
    [InlineData("xdp")]
    public void BothBondQueuesCarryTheGuestsTwoQueuesFramesBothWays(string driver)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var first = VethAsPciFunction.Create(netns, sysfs, "0000:05:0e.0", TestAddresses.HostCidr, queues: Queues);
        var second = VethAsPciFunction.Create(netns, sysfs, "0000:05:0e.1", queues: Queues);
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir) { MaxRelays = 1, SysfsRoot = sysfs, PortDriver = driver, ExtraArguments = zmq.Arguments };
        using var rig = DaemonWithFrontends.Start(config, netns, new FrontendOnRelay(0, ForwardMode.Io, Queues));
        zmq.AttachBond(rig.Daemon, Bond, mode: 0, First, Second);
        Assert.Contains($"bond {Bond}: {Queues} queues", rig.Daemon.Process.LogText);

        var firstBefore = netns.ReadCounters(first.FarEnd);
        var secondBefore = netns.ReadCounters(second.FarEnd);
        netns.Run("ip", "neigh", "replace", TestAddresses.GuestIp, "lladdr", "02:00:00:00:00:02", "dev", first.FarEnd);
        var sender = netns.Run("/usr/bin/python3", "-c", SenderScript(first.FarEnd, second.FarEnd));
        Assert.True(sender.Succeeded, sender.ToString());
        long onFirst = netns.ReadCounters(first.FarEnd).RxPackets - firstBefore.RxPackets;
        long onSecond = netns.ReadCounters(second.FarEnd).RxPackets - secondBefore.RxPackets;
        var echoed = rig.Frontend(0).StopForwarding();
        // Through WaitForStats, so a daemon that died shows its log.
        var stats = rig.Daemon.WaitForStats(_ => true, TimeSpan.FromSeconds(10), "the stats after the stream").Relay(0);
        rig.Frontend(0).Stop();
        rig.Daemon.StopAndAssertCleanExit();

        var bondQueues = QueueTotals().Matches(rig.Daemon.Process.LogText)
            .ToDictionary(m => int.Parse(m.Groups[1].Value), m => (Received: long.Parse(m.Groups[2].Value), Sent: long.Parse(m.Groups[3].Value)));
        var streams = echoed.Streams!.ToDictionary(s => s.Key.Queue, s => s.Value);
        output.WriteLine($"relay: VF→VM {stats.VfToVm}, VM→VF {stats.VmToVf}");
        output.WriteLine($"bond queues (received, sent): {string.Join(", ", bondQueues)}; testpmd streams: {string.Join(", ", streams)}");
        output.WriteLine($"echoes at the far ends: {onFirst} on the first member's, {onSecond} on the second's; sender: {sender.Output.Trim()}");
        Assert.Equal([0, 1], bondQueues.Keys.Order());
        Assert.All(bondQueues.Values, q => Assert.True(q.Received > 0 && q.Sent > 0, $"a bond queue idle: {q}"));
        Assert.Equal(Datagrams, bondQueues.Values.Sum(q => q.Received));
        Assert.Equal(Datagrams, bondQueues.Values.Sum(q => q.Sent));
        Assert.Equal([0, 1], streams.Keys.Order());
        Assert.All(streams.Values, s => Assert.True(s.RxPackets > 0 && s.RxPackets == s.TxPackets, $"a guest queue idle or short: {s}"));
        foreach (var direction in new[] { stats.VfToVm, stats.VmToVf })
        {
            Assert.Equal(Datagrams, direction.RxPackets);
            Assert.Equal(Datagrams, direction.TxPackets);
            Assert.Equal(0, direction.DroppedQueueFull + direction.DroppedNotConnected + direction.DroppedLinkDown + direction.DroppedOversize + direction.DroppedRxMissed);
        }
        Assert.Equal(Datagrams, onFirst + onSecond);
        Assert.True(onFirst > 0 && onSecond > 0, "round-robin sends on both members");
    }

    /// <summary>
    /// A bond of AF_PACKET members carries offloads as they do, so the kernel no longer refuses a
    /// plain frame longer than the MTU allows (PACKET_VNET_HDR): the member does, and the bond
    /// passes the refusal on as IPort.TxOversize says, so the relay counts testpmd's 1600-byte
    /// frames on a 1500-byte MTU as oversize drops, not as a full queue.
    /// </summary>
    [Fact]
    public void APlainFrameLongerThanTheMembersMtuIsCountedAsOversize()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var first = VethAsPciFunction.Create(netns, sysfs, "0000:05:0e.2");
        var second = VethAsPciFunction.Create(netns, sysfs, "0000:05:0e.3");
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir) { MaxRelays = 1, SysfsRoot = sysfs, PortDriver = "packet", ExtraArguments = zmq.Arguments };
        using var rig = DaemonWithFrontends.Start(config, netns, new FrontendOnRelay(0, ForwardMode.TxOnly, TxPacketSize: 1600));
        var farBefore = netns.ReadCounters(first.FarEnd);
        zmq.AttachBond(rig.Daemon, "bond_big", mode: 1,
            new Pci { Domain = 0, Bus = 5, Slot = 0xe, Function = 2 }, new Pci { Domain = 0, Bus = 5, Slot = 0xe, Function = 3 });

        rig.Daemon.WaitForStats(stats => stats.Relay(0).VmToVf.DroppedOversize > 1000, Timeout, "oversize drops through the bond");
        var sent = rig.Frontend(0).StopForwarding().PortTotals[0];
        var relay = rig.Daemon.WaitForStats(stats => stats.Relay(0).VmToVf.RxPackets >= sent.TxPackets, Timeout, $"all {sent.TxPackets} frames taken from the guest").Relay(0).VmToVf;
        long farGot = netns.ReadCounters(first.FarEnd).RxPackets - farBefore.RxPackets;
        rig.Frontend(0).Stop();
        rig.Daemon.StopAndAssertCleanExit();

        output.WriteLine($"testpmd sent {sent.TxPackets}, relay {relay}, the primary's far end received {farGot}");
        Assert.Equal(0, relay.TxPackets);
        Assert.Equal(0, relay.DroppedQueueFull);
        // Before the bond was attached, the frames had no port to go to.
        Assert.Equal(relay.RxPackets, relay.DroppedOversize + relay.DroppedNotConnected + relay.DroppedLinkDown);
        Assert.InRange(farGot, 0, 10); // the daemon end's own chatter at most, none of testpmd's frames
    }

    /// <summary>
    /// Sends the datagrams (of varying size, to <see cref="Flows"/> UDP ports from 9 on) in bursts of
    /// 100 through the first far end, each burst once the last one's echoes are all back at the two
    /// far ends (their kernel counters): at most a burst in flight, so a daemon starved of CPU for a
    /// while finds its frames waiting in its sockets' rings, not lost when the rings' blocks run out.
    /// A burst whose echoes are not all back within 10 s ends the stream.
    /// </summary>
    private static string SenderScript(string first, string second) => $$"""
        import socket, time
        def echoed():
            return sum(int(open(f"/sys/class/net/{name}/statistics/rx_packets").read()) for name in ("{{first}}", "{{second}}"))
        def all_back(sent):
            deadline = time.time() + 10
            while echoed() - base < sent:
                if time.time() > deadline:
                    return False
                time.sleep(0.002)
            return True
        base = echoed()
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        for i in range({{Datagrams}}):
            s.sendto(bytes(18 + i % 1000), ("{{TestAddresses.GuestIp}}", 9 + i % {{Flows}}))
            if i % 100 == 99 and not all_back(i + 1):
                break
        print(f"sent {i + 1}, {echoed() - base} echoes back")
        """;
}
