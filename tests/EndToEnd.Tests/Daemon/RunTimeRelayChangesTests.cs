using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.EndToEnd.Tests.Control;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;
using RelayCpu = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Relays changed while they forward, through upstream's ZeroMQ services: a device removed from
/// one relay (port control REMOVE) and a relay's directions moved to another worker CPU (core
/// scheduler UPDATE). testpmd virtio_user frontends send into null sinks, so every frame is counted.
/// </summary>
public sealed class RunTimeRelayChangesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void RemovingOneRelaysDeviceCostsTheOtherRelayNothing()
    {
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir)
        {
            WorkerCpus = "0,1",
            MainLcore = 2,
            MaxRelays = 2,
            Ports = [DaemonPort.NullSink(0), DaemonPort.NullSink(1)],
            ExtraArguments = zmq.Arguments,
        };
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
    public void DirectionsMovedToAnotherCpuRunPinnedThereAndLoseNothing()
    {
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir)
        {
            WorkerCpus = "0,1",
            MainLcore = 2,
            Ports = [DaemonPort.NullSink(0)],
            ExtraArguments = [.. zmq.Arguments, "-c0:0,0"],
        };
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
