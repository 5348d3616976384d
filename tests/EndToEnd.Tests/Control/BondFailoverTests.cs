using System.Text.Json;
using VirtioForwarder.EndToEnd.Tests.Daemon;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using Pci = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.PciAddress;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// Active-backup failover through the daemon: port control ADDs a bond (mode 1) of two veths
/// posing as PCI functions to the relay of a testpmd frontend that sends back every frame it
/// receives (io forwarding). A sender in the namespace plays a switch flooding both links: each
/// numbered frame goes out of both far ends, and the echoes come back on whichever link the bond
/// has active. Mid-stream the primary link's far end goes down (a cable pulled); the bond moves
/// to the other member within its link monitoring (the member's link is read at most every
/// 100 ms, the bond ticks every 10 ms), so only the frames sent in that window are lost. The
/// backup's socket kept what arrived while it was not read, and the guest gets that too on
/// the failover (as with DPDK's bonding, whose backup's RX ring keeps its frames): with AF_XDP
/// up to its ring's size, with AF_PACKET one frame per ring block (sparse frames each retire a block).
/// Both member drivers: AF_PACKET's backup once crashed the daemon on failover, its ring full.
/// </summary>
public sealed class BondFailoverTests(ITestOutputHelper output)
{
    private const int Frames = 3000, DownAt = 1000;
    // At most one frame per millisecond leaves the sender: 400 frames is 0.4 s of link monitoring, four times what it needs.
    private const int MaxLost = 400;
    private static readonly Pci Primary = new() { Domain = 0, Bus = 5, Slot = 0xd, Function = 0 };
    private static readonly Pci Backup = new() { Domain = 0, Bus = 5, Slot = 0xd, Function = 1 };

    [Theory]
    [InlineData("packet")]
    [InlineData("xdp")]
    public void WhenThePrimaryLinkGoesDownTheStreamGoesOnOverTheBackup(string driver)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var primary = VethAsPciFunction.Create(netns, sysfs, "0000:05:0d.0");
        var backup = VethAsPciFunction.Create(netns, sysfs, "0000:05:0d.1");
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir) { MaxRelays = 1, SysfsRoot = sysfs, PortDriver = driver, ExtraArguments = zmq.Arguments };
        using var rig = DaemonWithFrontends.Start(config, netns, new FrontendOnRelay(0, ForwardMode.Io));
        zmq.AttachBond(rig.Daemon, "bond_f", mode: 1, Primary, Backup);

        var result = netns.Run("/usr/bin/python3", "-c", SenderScript(primary.FarEnd, backup.FarEnd));
        Assert.True(result.Succeeded, result.ToString());
        var echoes = JsonSerializer.Deserialize<Echoes>(result.Output.Split('\n').Last(line => line.StartsWith('{')))!;
        // Through WaitForStats, so a daemon that died shows its log.
        var stats = rig.Daemon.WaitForStats(_ => true, TimeSpan.FromSeconds(10), "the stats after the stream").Relay(0);
        rig.Frontend(0).Stop();
        rig.Daemon.StopAndAssertCleanExit();

        var all = echoes.Primary.Union(echoes.Backup).ToHashSet();
        int lost = Frames - all.Count;
        int afterOnBackup = echoes.Backup.Count(seq => seq >= DownAt);
        int afterOnPrimary = echoes.Primary.Count(seq => seq >= DownAt);
        int staleOnBackup = echoes.Backup.Count(seq => seq < DownAt);
        output.WriteLine($"{Frames} frames, primary down at {DownAt}: echoed on the primary {echoes.Primary.Length} ({afterOnPrimary} after), " +
                         $"on the backup {echoes.Backup.Length} ({afterOnBackup} after, {staleOnBackup} from before the failover); lost {lost}");
        output.WriteLine($"relay: VF→VM {stats.VfToVm}, VM→VF {stats.VmToVf}");
        Assert.InRange(echoes.Primary.Count(seq => seq < DownAt), DownAt - MaxLost, DownAt);
        Assert.Equal(0, afterOnPrimary);
        Assert.InRange(lost, 0, MaxLost);
        Assert.InRange(afterOnBackup, Frames - DownAt - MaxLost, Frames - DownAt);
    }

    /// <summary>
    /// Sends frames 0..Frames-1 (EtherType 0x88B5, the number after the header) out of both far
    /// ends, one per millisecond at most, sets the primary's far end down before frame DownAt,
    /// and collects the numbers of the frames that come back on each (not those it sent itself);
    /// prints them as JSON.
    /// </summary>
    private static string SenderScript(string primary, string backup) => $$"""
        import json, socket, struct, subprocess, time
        ETHER_TYPE = 0x88B5
        sockets = {}
        for name, ifname in (("Primary", "{{primary}}"), ("Backup", "{{backup}}")):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETHER_TYPE))
            s.bind((ifname, ETHER_TYPE))
            s.setblocking(False)
            sockets[name] = s
        seen = {name: set() for name in sockets}
        def drain():
            for name, s in sockets.items():
                while True:
                    try:
                        data, address = s.recvfrom(2048)
                    except OSError:  # nothing waiting, or the link is down
                        break
                    if address[2] != socket.PACKET_OUTGOING:
                        seen[name].add(struct.unpack("!I", data[14:18])[0])
        head = bytes.fromhex("020000000002020000000001") + struct.pack("!H", ETHER_TYPE)
        for i in range({{Frames}}):
            if i == {{DownAt}}:
                subprocess.run(["ip", "link", "set", "{{primary}}", "down"], check=True)
            frame = head + struct.pack("!I", i) + bytes(46)
            for s in sockets.values():
                try:
                    s.send(frame)
                except OSError:
                    pass
            drain()
            time.sleep(0.001)
        end = time.time() + 3
        while time.time() < end:
            drain()
            time.sleep(0.01)
        print(json.dumps({name: sorted(numbers) for name, numbers in seen.items()}))
        """;

    private sealed record Echoes(int[] Primary, int[] Backup);
}
