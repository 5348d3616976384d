using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Checksum and TCP segmentation offloads through the AF_PACKET port (issue 4): a QEMU guest with
/// virtio-net-pci's defaults (csum, gso, guest_tso4/6 on) exchanges a TCP stream with a socket in
/// the test namespace, and frames longer than the MTU cross the relay whole, both ways.
/// </summary>
public sealed class OffloadTests(ITestOutputHelper output)
{
    private const int TcpPort = 5001, KiB = 2048;
    private const int MaxPlainFrame = 1500 + 14;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(240);

    // Takes the guest's upload to its end and reports it; sends its own blob once told to on stdin,
    // so the test reads the relay's counters between the two phases.
    private const string PeerScript = """
        import hashlib, os, socket, sys
        host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        def listener(p):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, p))
            s.listen(1)
            return s
        up, down = listener(port), listener(port + 1)
        print("PEER-LISTENING", flush=True)
        c, _ = up.accept()
        h, n = hashlib.md5(), 0
        while True:
            d = c.recv(1 << 16)
            if not d:
                break
            h.update(d)
            n += len(d)
        c.close()
        print(f"PEER-GOT md5={h.hexdigest()} bytes={n}", flush=True)
        c, _ = down.accept()
        sys.stdin.readline()
        blob = os.urandom(size)
        c.sendall(blob)
        c.close()
        print(f"PEER-SENT md5={hashlib.md5(blob).hexdigest()} bytes={size}", flush=True)
        """;

    /// <summary>The device options of upstream's guide: no checksum or segmentation offloads but GUEST_CSUM.</summary>
    private const string UpstreamGuideOffloadsOff = "csum=off,gso=off,guest_tso4=off,guest_tso6=off,guest_ecn=off";

    [Fact]
    public void AGuestWithOffloadsOnExchangesATcpStreamWithTheNamespaceInFramesLargerThanTheMtu()
    {
        var (afterUp, afterDown, features) = ExchangeTcpStream("0000:05:08.4", deviceOptions: null);

        // The guest negotiated CSUM (bit 0), GUEST_CSUM (1), GUEST_TSO4 (7) and HOST_TSO4 (11).
        Assert.All(new[] { 0, 1, 7, 11 }, bit => Assert.Equal('1', features[bit]));
        // Unsegmented frames crossed: on average longer than any plain frame of a 1500-byte MTU.
        var g2h = afterUp.VmToVf;
        Assert.True(g2h.TxBytes > (long)MaxPlainFrame * g2h.TxPackets, $"guest→host: {g2h}");
        long h2gBytes = afterDown.VfToVm.TxBytes - afterUp.VfToVm.TxBytes, h2gFrames = afterDown.VfToVm.TxPackets - afterUp.VfToVm.TxPackets;
        Assert.True(h2gBytes > MaxPlainFrame * h2gFrames, $"host→guest during the download: {h2gFrames} frames, {h2gBytes} bytes");
    }

    /// <summary>
    /// A guest without TSO (upstream's guide turns it off) still takes the namespace's stream,
    /// which reaches the port unsegmented (a local sender's GSO over the veth): the relay cuts it
    /// into frames the guest can take, more frames out than in.
    /// </summary>
    [Fact]
    public void AGuestWithoutTsoGetsTheNamespacesUnsegmentedFramesCutBySoftware()
    {
        var (afterUp, afterDown, features) = ExchangeTcpStream("0000:05:08.6", UpstreamGuideOffloadsOff);

        // Neither CSUM (bit 0), without which the guest does not segment, nor GUEST_TSO4 (7).
        Assert.All(new[] { 0, 7 }, bit => Assert.Equal('0', features[bit]));
        Assert.True(afterUp.VmToVf.TxBytes <= (long)MaxPlainFrame * afterUp.VmToVf.TxPackets, $"guest→host: {afterUp.VmToVf}");
        var h2g = afterDown.VfToVm;
        Assert.True(h2g.TxPackets > h2g.RxPackets, $"host→guest: {h2g}");
        Assert.True(h2g.RxBytes > MaxPlainFrame * h2g.RxPackets, $"host→guest: {h2g}");
    }

    /// <summary>Runs the guest's upload and download; checks both arrive intact and returns the relay's counters after each and the guest's feature bits.</summary>
    private (RelayStats AfterUp, RelayStats AfterDown, string Features) ExchangeTcpStream(string pciAddress, string? deviceOptions)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var veth = VethAsPciFunction.Create(netns, sysfs, pciAddress, TestAddresses.HostCidr);
        string script = workDir.File("peer.py");
        File.WriteAllText(script, PeerScript);
        using var peer = ManagedProcess.Start(
            new CommandLine("/usr/bin/python3", script, TestAddresses.HostIp, TcpPort.ToString(), (KiB * 1024).ToString()).InNamespace(netns),
            workDir.File("peer.log"), keepStdinOpen: true);
        peer.WaitForOutput(new Regex("PEER-LISTENING"), Timeout);
        var config = new DaemonConfig(workDir) { Ports = [DaemonPort.Pci(0, veth.Address)], SysfsRoot = sysfs, PortDriver = "packet" };
        using var link = GuestOnDaemon.Start(config, netns, new GuestConfig { TcpPort = TcpPort, TcpKiB = KiB }, deviceOptions: deviceOptions);

        // Guest → host: the upload, then the relay's counters before anything flows the other way.
        link.WaitForSerial("GUEST-TCP-UP", Timeout);
        var got = peer.WaitForOutput(new Regex(@"PEER-GOT md5=(\w+) bytes=(\d+)"), Timeout);
        var afterUp = link.Daemon.Stats().Relay(0);
        // Host → guest: the download.
        peer.WriteLine("go");
        link.WaitForSerial("GUEST-TCP-DOWN", Timeout);
        var sent = peer.WaitForOutput(new Regex(@"PEER-SENT md5=(\w+) bytes=(\d+)"), Timeout);
        var afterDown = link.Daemon.Stats().Relay(0);
        Assert.Equal(0, link.Guest.WaitForExit(Timeout));
        link.Daemon.StopAndAssertCleanExit();

        string serial = link.Guest.SerialText;
        var up = Regex.Match(serial, @"GUEST-TCP-UP md5=(\w+) bytes=(\d+)");
        var down = Regex.Match(serial, @"GUEST-TCP-DOWN md5=(\w+) bytes=(\d+)");
        string features = Regex.Match(serial, @"GUEST-DRIVER: features=(\d+)").Groups[1].Value;
        output.WriteLine($"guest features {features}");
        output.WriteLine($"after the upload: {afterUp}");
        output.WriteLine($"after the download: {afterDown}");
        Assert.Equal(got.Groups[1].Value, up.Groups[1].Value);
        Assert.Equal((KiB * 1024).ToString(), got.Groups[2].Value);
        Assert.Equal(sent.Groups[1].Value, down.Groups[1].Value);
        Assert.Equal(sent.Groups[2].Value, down.Groups[2].Value);
        Assert.Equal(0, afterDown.VmToVf.DroppedOversize + afterDown.VfToVm.DroppedOversize);
        return (afterUp, afterDown, features);
    }

    /// <summary>
    /// With PACKET_VNET_HDR the kernel no longer refuses a plain frame longer than the MTU allows
    /// (1514 bytes untagged on a 1500-byte MTU): the port does, counting it as an oversize drop.
    /// </summary>
    [Theory]
    [InlineData(MaxPlainFrame, false)]
    [InlineData(MaxPlainFrame + 4, true)]
    [InlineData(1600, true)]
    public void APlainFrameLongerThanTheMtuAllowsIsDroppedAsOversize(int size, bool oversize)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var veth = VethAsPciFunction.Create(netns, sysfs, "0000:05:08.5");
        var config = new DaemonConfig(workDir) { Ports = [DaemonPort.Pci(0, veth.Address)], SysfsRoot = sysfs, PortDriver = "packet" };
        var farBefore = netns.ReadCounters(veth.FarEnd);
        using var rig = DaemonWithFrontends.Start(config, netns, new FrontendOnRelay(0, ForwardMode.TxOnly, TxPacketSize: size));

        rig.Daemon.WaitForStats(stats => stats.Relay(0).VmToVf.RxPackets > 1000, Timeout, "frames out of the guest");
        var sent = rig.Frontend(0).StopForwarding().PortTotals[0];
        rig.Daemon.WaitForStats(stats => stats.Relay(0).VmToVf.RxPackets >= sent.TxPackets, Timeout, $"all {sent.TxPackets} frames taken from the guest");
        var relay = rig.Daemon.Stats().Relay(0).VmToVf;
        long farGot = netns.ReadCounters(veth.FarEnd).RxPackets - farBefore.RxPackets;
        rig.Frontend(0).Stop();
        rig.Daemon.StopAndAssertCleanExit();

        output.WriteLine($"{size} B: testpmd sent {sent.TxPackets}, relay {relay}, far end received {farGot}");
        Assert.Equal(sent.TxPackets, relay.RxPackets);
        if (oversize)
        {
            Assert.Equal(relay.RxPackets, relay.DroppedOversize);
            Assert.Equal(0, relay.TxPackets);
            // Only the daemon end's own chatter (IPv6 neighbour discovery), none of testpmd's frames.
            Assert.InRange(farGot, 0, 10);
        }
        else
        {
            Assert.Equal(0, relay.DroppedOversize);
            Assert.Equal(relay.RxPackets, relay.TxPackets + relay.DroppedQueueFull);
            Assert.True(farGot > 1000, $"far end received {farGot}");
        }
    }
}
