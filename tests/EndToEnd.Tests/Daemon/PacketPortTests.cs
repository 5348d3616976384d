using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// The daemon's AF_PACKET port on a veth posing as a PCI VF (-P&lt;pci&gt;=&lt;relay&gt;, sysfs
/// through VIRTIOFWD_SYSFS_ROOT), the daemon inside the test namespace, with --port-driver=packet,
/// =xdp, and auto (which takes AF_XDP where it works, as on a veth). Frames are counted on both
/// sides of each port; a QEMU guest pings the namespace through either driver.
/// </summary>
public sealed class PacketPortTests(ITestOutputHelper output)
{
    private const int GuestToHost = 0, HostToGuest = 1;
    private const int RingSize = 256; // virtio_user's default queue_size
    private const int Datagrams = 2000;
    private static readonly TimeSpan TrafficTime = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On a veth, AF_XDP's redirect program attaches natively but the socket cannot bind in
    /// zero-copy mode: the port falls back to copy mode and says why.
    /// </summary>
    [Theory]
    [InlineData("packet")]
    [InlineData("xdp")]
    [InlineData("auto")]
    public void TestpmdAndTheNamespaceExchangeFramesThroughTheHostPort(string driver)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        // One function on node 0, one whose node the kernel does not know (numa_node -1).
        var toHost = VethAsPciFunction.Create(netns, sysfs, "0000:05:08.0", numaNode: 0);
        var toGuest = VethAsPciFunction.Create(netns, sysfs, "0000:05:08.1", TestAddresses.HostCidr, numaNode: -1);
        var config = new DaemonConfig(workDir)
        {
            MaxRelays = 2,
            // Either spelling of an address names the function.
            Ports = [DaemonPort.Pci(GuestToHost, "0000:05:08.0"), DaemonPort.Pci(HostToGuest, "05:08.1")],
            SysfsRoot = sysfs,
            PortDriver = driver,
        };
        using var rig = DaemonWithFrontends.Start(config, netns,
            new FrontendOnRelay(GuestToHost, ForwardMode.TxOnly),
            new FrontendOnRelay(HostToGuest, ForwardMode.RxOnly));
        var log = rig.Daemon.Process.LogText;
        Assert.Equal(driver != "packet", log.Contains(": AF_XDP on "));
        Assert.DoesNotContain("AF_XDP is not available", log);
        if (driver != "packet")
        {
            Assert.Contains($"{toHost.DaemonEnd}: no AF_XDP zero-copy (", log);
            Assert.Matches(new Regex($": AF_XDP on {toHost.DaemonEnd} queue 0, Native XDP, copy mode$", RegexOptions.Multiline), log);
        }
        var farBefore = netns.ReadCounters(toHost.FarEnd);

        // Guest → host: testpmd's txonly frames out through the port to the veth's far end.
        rig.Daemon.WaitForStats(stats => stats.Relay(GuestToHost).VmToVf.TxPackets > 0, Timeout, "frames out of the guest");
        Thread.Sleep(TrafficTime);
        var sent = rig.Frontend(GuestToHost).StopForwarding().PortTotals[0];
        rig.Daemon.WaitForStats(stats => stats.Relay(GuestToHost).VmToVf.RxPackets >= sent.TxPackets, Timeout, $"all {sent.TxPackets} frames taken from the guest");

        // Host → guest: UDP from a socket in the namespace, in through the port to testpmd.
        netns.Run("ip", "neigh", "replace", TestAddresses.GuestIp, "lladdr", "02:00:00:00:00:02", "dev", toGuest.FarEnd);
        SendUdp(netns, Datagrams);
        rig.Daemon.WaitForStats(stats => stats.Relay(HostToGuest).VfToVm.TxPackets >= Datagrams, Timeout, $"{Datagrams} datagrams into the guest");
        var received = rig.Frontend(HostToGuest).StopForwarding().PortTotals[0];

        var stats = rig.Daemon.Stats();
        var far = netns.ReadCounters(toHost.FarEnd);
        var daemonEnd = netns.ReadCounters(toHost.DaemonEnd);
        rig.Frontend(GuestToHost).Stop();
        rig.Frontend(HostToGuest).Stop();
        rig.Daemon.StopAndAssertCleanExit();

        var fromGuest = stats.Relay(GuestToHost).VmToVf;
        var toGuestStats = stats.Relay(HostToGuest).VfToVm;
        output.WriteLine($"guest→host: testpmd sent {sent.TxPackets}, daemon {fromGuest}, far end received {far.RxPackets - farBefore.RxPackets}, daemon end {daemonEnd}");
        output.WriteLine($"host→guest: {Datagrams} sent, daemon {toGuestStats}, testpmd received {received.RxPackets}");
        Assert.True(sent.TxPackets > 0, rig.Frontend(GuestToHost).Process.LogTail());
        Assert.Equal(sent.TxPackets, fromGuest.RxPackets);
        Assert.True(fromGuest.TxPackets > 0, fromGuest.ToString());
        // The port's end sends only what the relay gave it: all of it reached the far end, but
        // what the far end's backlog could not take (counted as the sender's tx drops).
        long farGot = far.RxPackets - farBefore.RxPackets;
        Assert.InRange(farGot, 1, fromGuest.TxPackets);
        Assert.Equal(Datagrams, toGuestStats.RxPackets);
        Assert.Equal(Datagrams, toGuestStats.TxPackets);
        Assert.InRange(received.RxPackets, Datagrams - RingSize, Datagrams);
        // Contract §10.5: the relay takes its port's node; an unknown node leaves placement to the load rule.
        Assert.Equal(0, stats.Relay(GuestToHost).NumaNode);
        Assert.Equal(-1, stats.Relay(HostToGuest).NumaNode);
        Assert.All(stats.Relays, relay => Assert.Equal(int.Parse(config.WorkerCpus), relay.VfToVmCpu));
    }

    [Theory]
    [InlineData("packet")]
    [InlineData("xdp")]
    public void AGuestAndTheNamespacePingEachOtherThroughTheHostPort(string driver)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var veth = VethAsPciFunction.Create(netns, sysfs, "0000:05:08.2", TestAddresses.HostCidr);
        var config = new DaemonConfig(workDir) { Ports = [DaemonPort.Pci(0, veth.Address)], SysfsRoot = sysfs, PortDriver = driver };
        using var link = GuestOnDaemon.Start(config, netns, new GuestConfig { WaitSeconds = 2 });

        output.WriteLine(link.AssertPingsBothWays(netns, Timeout).ToString());
        Assert.Equal(driver == "xdp", link.Daemon.Process.LogText.Contains(": AF_XDP on "));
    }

    /// <summary>
    /// Guest queue pair i goes through port queue i (a socket per device queue; AF_XDP binds each
    /// to its device queue, AF_PACKET's form a fanout group spreading frames by flow hash): both
    /// of testpmd's queues carry frames, both ways, and every frame is counted. The datagrams go
    /// to 16 UDP ports, so the namespace's end spreads them over its two transmit queues (the
    /// daemon end's two receive queues) and the fanout over both sockets. A function with one
    /// queue has its frames spread over the guest's queues by the relay, which takes no more than
    /// the fullest guest queue has room for, so no frame is dropped there either.
    /// </summary>
    [Theory]
    [InlineData("xdp", 2)]
    [InlineData("packet", 2)]
    [InlineData("packet", 1)]
    public void TwoGuestQueuesExchangeFramesThroughTheFunction(string driver, int functionQueues)
    {
        const int Queues = 2, Flows = 16;
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var toHost = VethAsPciFunction.Create(netns, sysfs, "0000:05:0c.0", queues: functionQueues);
        var toGuest = VethAsPciFunction.Create(netns, sysfs, "0000:05:0c.1", TestAddresses.HostCidr, queues: functionQueues);
        var config = new DaemonConfig(workDir)
        {
            MaxRelays = 2,
            Ports = [DaemonPort.Pci(GuestToHost, toHost.Address), DaemonPort.Pci(HostToGuest, toGuest.Address)],
            SysfsRoot = sysfs,
            PortDriver = driver,
        };
        using var rig = DaemonWithFrontends.Start(config, netns,
            new FrontendOnRelay(GuestToHost, ForwardMode.TxOnly, Queues),
            new FrontendOnRelay(HostToGuest, ForwardMode.RxOnly, Queues));
        if (functionQueues == Queues)
            Assert.Contains(driver == "xdp" ? $": AF_XDP on {toHost.DaemonEnd} queues 0-1," : $": AF_PACKET on {toHost.DaemonEnd}, 2 sockets in a fanout group", rig.Daemon.Process.LogText);

        rig.Daemon.WaitForStats(stats => stats.Relay(GuestToHost).VmToVf.TxPackets > 0, Timeout, "frames out of the guest");
        Thread.Sleep(TrafficTime);
        var sent = rig.Frontend(GuestToHost).StopForwarding();
        long sentTotal = sent.PortTotals[0].TxPackets;
        rig.Daemon.WaitForStats(stats => stats.Relay(GuestToHost).VmToVf.RxPackets >= sentTotal, Timeout, $"all {sentTotal} frames taken from the guest");

        netns.Run("ip", "neigh", "replace", TestAddresses.GuestIp, "lladdr", "02:00:00:00:00:02", "dev", toGuest.FarEnd);
        SendUdp(netns, Datagrams, flows: Flows);
        rig.Daemon.WaitForStats(stats => stats.Relay(HostToGuest).VfToVm.TxPackets >= Datagrams, Timeout, $"{Datagrams} datagrams into the guest");
        var received = rig.Frontend(HostToGuest).StopForwarding();

        var stats = rig.Daemon.Stats();
        rig.Frontend(GuestToHost).Stop();
        rig.Frontend(HostToGuest).Stop();
        rig.Daemon.StopAndAssertCleanExit();

        var fromGuest = stats.Relay(GuestToHost).VmToVf;
        var intoGuest = stats.Relay(HostToGuest).VfToVm;
        var sentByQueue = sent.Streams!.Where(s => s.Value.TxPackets > 0).ToDictionary(s => s.Key.Queue, s => s.Value.TxPackets);
        var receivedByQueue = received.Streams!.Where(s => s.Value.RxPackets > 0).ToDictionary(s => s.Key.Queue, s => s.Value.RxPackets);
        output.WriteLine($"guest→host: testpmd sent {string.Join(", ", sentByQueue)} (queue, frames), daemon {fromGuest}");
        output.WriteLine($"host→guest: {Datagrams} sent, daemon {intoGuest}, testpmd received {string.Join(", ", receivedByQueue)}");
        Assert.Equal([0, 1], sentByQueue.Keys.Order());
        Assert.Equal(sentTotal, sentByQueue.Values.Sum());
        Assert.Equal(sentTotal, fromGuest.RxPackets);
        Assert.True(fromGuest.TxPackets > 0, fromGuest.ToString());
        Assert.Equal([0, 1], receivedByQueue.Keys.Order());
        Assert.Equal(received.PortTotals[0].RxPackets, receivedByQueue.Values.Sum());
        Assert.Equal(Datagrams, intoGuest.RxPackets);
        Assert.Equal(Datagrams, intoGuest.TxPackets);
        Assert.InRange(received.PortTotals[0].RxPackets, Datagrams - Queues * RingSize, Datagrams);
    }

    /// <summary>
    /// UDP datagrams of varying size from the namespace to the guest's address, to <paramref name="flows"/>
    /// ports from 9 on, in bursts of 100 with <paramref name="pauseSeconds"/> between them.
    /// </summary>
    internal static void SendUdp(NetNamespace netns, int count, double pauseSeconds = 0.005, int flows = 1)
    {
        string script = "import socket\n" +
                        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                        "import time\n" +
                        $"for i in range({count}):\n" +
                        $"    s.sendto(bytes(18 + i % 1000), ('{TestAddresses.GuestIp}', 9 + i % {flows}))\n" +
                        // Pauses keep the veth's receive backlog (1000 frames) from overflowing.
                        $"    if i % 100 == 99: time.sleep({pauseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)})\n";
        var result = netns.Run("/usr/bin/python3", "-c", script);
        Assert.True(result.Succeeded, result.ToString());
    }
}
