using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.EndToEnd.Tests.Daemon;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;
using RelayCpu = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// Stats, core scheduler and config against the real daemon (contract §4–6): relay 0 sources
/// 64-byte frames into a testpmd rxonly frontend; relay 1 has a socket and nothing else.
/// </summary>
public sealed class ZmqStatsAndSchedulerTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void Stats_rates_scheduler_and_config_answer_as_upstreams()
    {
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir)
        {
            MaxRelays = 2,
            Ports = [DaemonPort.NullSource(0)],
            ExtraArguments = [.. zmq.Arguments, "-c0:1,1"],
        };
        using var rig = DaemonWithFrontends.Start(config, new FrontendOnRelay(0, ForwardMode.RxOnly));
        rig.Daemon.WaitForStats(s => s.Relay(0).VfToVm.TxPackets > 0, Timeout, "frames to the frontend");

        // The stats client's request: active relays only, rates over 200 ms.
        var busy = Stats(zmq, new StatsRequest { IncludeInactive = false, Delay = 200 });
        output.WriteLine(busy.ToString());
        var relay = Assert.Single(busy.Relay);
        Assert.True(relay.Active);
        Assert.Equal(config.SocketPath(0), relay.Vhost.VhostSocketName);
        Assert.Equal(("null:64", 1, 1), (relay.Vf.PciAddrStr, relay.Cpu.VfToVm, relay.Cpu.VmToVf));
        Assert.True(relay.VfToVm.PktRateRxFromVf > 0 && relay.VfToVm.PktRateTxToVm > 0, relay.VfToVm.ToString());
        Assert.InRange(relay.VfToVm.ByteRateTxToVm / relay.VfToVm.PktRateTxToVm, 60, 68);
        Assert.True(relay.VfToVm.PktsTxToVm > 0 && relay.VmToVf.HasPktsRxFromVm);

        // Default request: every relay; relay 1 shows its socket and nothing optional.
        var all = Stats(zmq, new StatsRequest());
        Assert.Equal([0u, 1u], all.Relay.Select(r => r.Id));
        var idle = all.Relay[1];
        Assert.Equal((false, config.SocketPath(1), "DPDK_UNINIT", "VIRTIO_UNINIT"),
            (idle.Active, idle.Vhost.VhostSocketName, idle.VfToVm.InternalState, idle.VmToVf.InternalState));
        Assert.True(idle.Cpu is null && idle.Vf is null && !idle.VfToVm.HasPktsRxFromVf && idle.VfToVm.HasPktRateRxFromVf);

        // GET_EAL_CORES: the worker CPUs of -C1.
        var cores = Sched(zmq, new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.GetEalCores });
        Assert.Equal(CoreSchedResponse.Types.Status.Ok, cores.Status);
        Assert.Equal([1u], cores.EalCores);

        // UPDATE: OK for any non-empty map; CPU 0 has no worker, so relay 0 stays on CPU 1.
        var update = new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.Update };
        update.RelayCpuMap.Add(new RelayCpu { RelayNumber = 0, Vf2VirtioCpu = 0, Virtio2VfCpu = 0 });
        Assert.Equal(CoreSchedResponse.Types.Status.Ok, Sched(zmq, update).Status);
        update.RelayCpuMap[0] = new RelayCpu { RelayNumber = 0, Vf2VirtioCpu = 1, Virtio2VfCpu = 1 };
        Assert.Equal(CoreSchedResponse.Types.Status.Ok, Sched(zmq, update).Status);
        var after = Stats(zmq, new StatsRequest { Relay = { 0 } }).Relay[0];
        Assert.Equal((1, 1), (after.Cpu.VfToVm, after.Cpu.VmToVf));
        Assert.Equal(CoreSchedResponse.Types.Status.Error, Sched(zmq, new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.Update }).Status);

        // Config: the -c pin of start-up.
        var pins = ZmqEndpoints.Ask(zmq.Config, new ConfigRequest(), ConfigResponse.Parser);
        Assert.Equal("0:1,1", Assert.Single(pins.RelayCpuMap.Select(m => $"{m.RelayNumber}:{m.Vf2VirtioCpu},{m.Virtio2VfCpu}")));
        rig.Frontend(0).Stop();
        rig.Daemon.StopAndAssertCleanExit();
    }

    private static StatsResponse Stats(ZmqEndpoints zmq, StatsRequest request)
    {
        var reply = ZmqEndpoints.Ask(zmq.Stats, request, StatsResponse.Parser);
        Assert.Equal(StatsResponse.Types.Status.Ok, reply.Status);
        return reply;
    }

    private static CoreSchedResponse Sched(ZmqEndpoints zmq, CoreSchedRequest request) =>
        ZmqEndpoints.Ask(zmq.CoreSched, request, CoreSchedResponse.Parser);
}
