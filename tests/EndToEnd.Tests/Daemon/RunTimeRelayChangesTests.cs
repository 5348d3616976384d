using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.EndToEnd.Tests.Control;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;
using Pci = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.PciAddress;
using RelayCpu = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Relays changed while they forward, through upstream's ZeroMQ services: a device removed from
/// one relay (port control REMOVE), a VF attached and detached again and again (ADD/REMOVE) next
/// to a relay carrying a namespace's traffic, and a relay's directions moved to another worker CPU
/// (core scheduler UPDATE). Every frame is counted.
/// </summary>
public sealed class RunTimeRelayChangesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void RemovingOneRelaysDeviceCostsTheOtherRelayNothing()
    {
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        var config = DaemonConfig.NullSinksOnTwoCpus(workDir, relays: 2, zmq.Arguments);
        using var rig = DaemonWithFrontends.Start(config,
            new FrontendOnRelay(0, ForwardMode.TxOnly), new FrontendOnRelay(1, ForwardMode.TxOnly));
        rig.Daemon.WaitForStats(s => s.Relay(0).VmToVf.TxPackets > 0 && s.Relay(1).VmToVf.TxPackets > 0, Timeout, "both relays forwarding");

        var remove = zmq.AskPortControl(new PortControlRequest { Op = Op.Remove, VirtioId = 1, Name = "null", Conditional = false });
        Assert.Equal(PortControlResponse.Types.Status.Ok, remove.Status);
        rig.Daemon.WaitForStats(s => s.Relay(1).PortState == "DPDK_UNINIT" && s.Relay(1).VmToVf.DroppedNotConnected > 0,
            Timeout, "relay 1 without a device, its VM's frames counted as not connected");
        Assert.Equal("DPDK_READY", rig.Daemon.Stats().Relay(0).PortState);

        var sent = StopAndCount(rig, 0, 1);
        var relay0 = sent.Final.Relay(0).VmToVf;
        var relay1 = sent.Final.Relay(1).VmToVf;
        output.WriteLine($"relay 0: sent {sent.Sent[0]}, daemon {relay0}; relay 1: sent {sent.Sent[1]}, daemon {relay1}");
        Assert.Equal(sent.Sent[0], relay0.RxPackets);
        Assert.Equal(sent.Sent[0], relay0.TxPackets);
        Assert.Equal(0, relay0.DroppedNotConnected + relay0.DroppedQueueFull + relay0.DroppedLinkDown + relay0.DroppedOversize);
        Assert.Equal(sent.Sent[1], relay1.RxPackets);
        Assert.Equal(sent.Sent[1], relay1.TxPackets + relay1.DroppedNotConnected);
    }

    [Fact]
    public void AttachingAndDetachingOneRelaysVfLosesNothingOfAnotherRelaysVfTraffic()
    {
        const int Datagrams = 3000;
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        var steady = VethAsPciFunction.Create(netns, sysfs, "0000:05:0b.0", TestAddresses.HostCidr);
        VethAsPciFunction.Create(netns, sysfs, "0000:05:0b.1");
        var changing = new Pci { Domain = 0, Bus = 5, Slot = 0xb, Function = 1 };
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir)
        {
            MaxRelays = 2,
            Ports = [DaemonPort.Pci(0, steady.Address)],
            SysfsRoot = sysfs,
            ExtraArguments = zmq.Arguments,
        };
        // Relay 1's guest sends all along: into its VF while attached, counted as not connected otherwise.
        using var rig = DaemonWithFrontends.Start(config, netns,
            new FrontendOnRelay(0, ForwardMode.RxOnly), new FrontendOnRelay(1, ForwardMode.TxOnly));
        netns.Run("ip", "neigh", "replace", TestAddresses.GuestIp, "lladdr", "02:00:00:00:00:02", "dev", steady.FarEnd);

        // About three seconds of datagrams into relay 0 while relay 1's VF comes and goes.
        var sender = Task.Run(() => PacketPortTests.SendUdp(netns, Datagrams, pauseSeconds: 0.1));
        int cycles = 0;
        while (!sender.IsCompleted || cycles < 2)
        {
            var add = zmq.AskPortControl(new PortControlRequest { Op = Op.Add, VirtioId = 1, PciAddrs = { changing }, Conditional = false });
            Assert.Equal(PortControlResponse.Types.Status.Ok, add.Status);
            rig.Daemon.WaitForStats(s => s.Relay(1).PortState == "DPDK_READY", Timeout, "relay 1's VF attached");
            var remove = zmq.AskPortControl(new PortControlRequest { Op = Op.Remove, VirtioId = 1, PciAddrs = { changing }, Conditional = false });
            Assert.Equal(PortControlResponse.Types.Status.Ok, remove.Status);
            cycles++;
        }
        sender.GetAwaiter().GetResult();

        var stats = rig.Daemon.WaitForStats(s => s.Relay(0).VfToVm.TxPackets >= Datagrams, Timeout, $"{Datagrams} datagrams into relay 0's guest");
        var relay0 = stats.Relay(0).VfToVm;
        var relay1 = stats.Relay(1).VmToVf;
        output.WriteLine($"{cycles} attach/detach cycles; relay 0 VF→VM {relay0}; relay 1 VM→VF {relay1}");
        Assert.Equal(Datagrams, relay0.RxPackets);
        Assert.Equal(Datagrams, relay0.TxPackets);
        Assert.Equal(0, relay0.DroppedNotConnected + relay0.DroppedQueueFull + relay0.DroppedLinkDown + relay0.DroppedOversize);
        Assert.True(relay1.TxPackets > 0, "relay 1's guest reached its VF while attached");
        Assert.True(relay1.DroppedNotConnected > 0, "relay 1's guest frames counted while detached");
        rig.Frontend(0).Stop();
        rig.Frontend(1).Stop();
        rig.Daemon.StopAndAssertCleanExit();
    }

    [Fact]
    public void DirectionsMovedToAnotherCpuRunPinnedThereAndLoseNothing()
    {
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        var config = DaemonConfig.NullSinksOnTwoCpus(workDir, relays: 1, [.. zmq.Arguments, "-c0:0,0"]);
        using var rig = DaemonWithFrontends.Start(config, new FrontendOnRelay(0, ForwardMode.TxOnly));
        var before = rig.Daemon.WaitForStats(s => s.Relay(0).VmToVf.TxPackets > 0 && s.Relay(0).VmToVfCpu == 0, Timeout, "relay 0 forwarding on CPU 0");
        Assert.Equal("0", WorkerPlacementTests.Affinity(rig.Daemon.Process.Pid, before.Relay(0).VmToVfThread!.Value));

        var update = new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.Update };
        update.RelayCpuMap.Add(new RelayCpu { RelayNumber = 0, Vf2VirtioCpu = 1, Virtio2VfCpu = 1 });
        Assert.Equal(CoreSchedResponse.Types.Status.Ok, ZmqEndpoints.Ask(zmq.CoreSched, update, CoreSchedResponse.Parser).Status);
        var after = rig.Daemon.WaitForStats(s => s.Relay(0).VmToVfCpu == 1 && s.Relay(0).VfToVmCpu == 1, Timeout, "relay 0 on CPU 1").Relay(0);
        Assert.Equal(after.VmToVfThread, after.VfToVmThread);
        Assert.Equal("1", WorkerPlacementTests.Affinity(rig.Daemon.Process.Pid, after.VmToVfThread!.Value));
        rig.Daemon.WaitForStats(s => s.Relay(0).VmToVf.TxPackets > after.VmToVf.TxPackets, Timeout, "frames forwarded after the move");

        var counted = StopAndCount(rig, 0);
        var relay0 = counted.Final.Relay(0).VmToVf;
        output.WriteLine($"sent {counted.Sent[0]}, daemon {relay0}");
        Assert.Equal(counted.Sent[0], relay0.RxPackets);
        Assert.Equal(counted.Sent[0], relay0.TxPackets);
    }

    /// <summary>Stops the frontends' forwarding, waits until the daemon took every frame sent, then stops them.</summary>
    private static (Dictionary<int, long> Sent, DaemonStats Final) StopAndCount(DaemonWithFrontends rig, params int[] relays)
    {
        var sent = relays.ToDictionary(r => r, r => rig.Frontend(r).StopForwarding().PortTotals[0].TxPackets);
        rig.Daemon.WaitForStats(s => relays.All(r => s.Relay(r).VmToVf.RxPackets >= sent[r]), Timeout, "every frame sent taken from the guests");
        foreach (int r in relays) rig.Frontend(r).Stop();
        var final = rig.Daemon.WaitForStats(s => relays.All(r => !s.Relay(r).VmConnected), Timeout, "frontends disconnected");
        return (sent, final);
    }
}
