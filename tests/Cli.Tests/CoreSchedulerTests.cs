using Google.Protobuf;
using VirtioForwarder.Cli.Scheduling;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Tests;

/// <summary>The scheduler's loop against stand-in stats and core scheduler services.</summary>
public sealed class CoreSchedulerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_loaded_relay_sharing_one_core_gets_its_directions_spread_over_the_node()
    {
        // Relay 0 carries traffic both ways, relay 1 none; all four directions sit on CPU 1.
        var busy = TestRelays.Active(0, vfToVm: 1, vmToVf: 1);
        busy.VfToVm.PktRateRxFromVf = busy.VfToVm.PktRateTxToVm = 1e6f;
        busy.VmToVf.PktRateRxFromVm = busy.VmToVf.PktRateTxToVf = 1e6f;
        var stats = new StatsResponse { Status = StatsResponse.Types.Status.Ok, Relay = { busy, TestRelays.Active(1, 1, 1) } };
        uint[] workers = NumaTopology.Read()[0].Take(2).ToArray();
        Assert.True(workers.Length == 2, "the scheduler test needs two CPUs on NUMA node 0");
        using var statsService = new FakeService(_ => stats.ToByteArray());
        using var schedService = new FakeService(request => (request.SequenceEqual(new byte[] { 0x08, 0x01 })
            ? new CoreSchedResponse { Status = CoreSchedResponse.Types.Status.Ok, EalCores = { workers } }
            : new CoreSchedResponse { Status = CoreSchedResponse.Types.Status.Ok }).ToByteArray());
        var log = new StringWriter();
        using var stop = new StopSignal();
        var options = new SchedOptions(statsService.Endpoint, schedService.Endpoint, TimeSpan.FromMilliseconds(100), 0.25, GlobalNumaOpt: false);
        var scheduler = new Thread(() => new CoreScheduler(options, SchedLog.ToConsole(TextWriter.Synchronized(log)), stop).Run());
        scheduler.Start();

        var update = WaitForUpdate(schedService);
        stop.Request();
        Assert.True(scheduler.Join(Patience), "the scheduler did not stop");

        // Upstream's stats request for the scheduler: include_inactive=false, delay=200 (§7.5).
        Assert.All(statsService.RequestsHex, hex => Assert.Equal("100018c801", hex));
        var relay0 = update.RelayCpuMap.Single(mapping => mapping.RelayNumber == 0);
        Assert.NotEqual(relay0.Virtio2VfCpu, relay0.Vf2VirtioCpu);
        Assert.Equal(2, update.RelayCpuMap.Count);
        Assert.Contains("Migrating workers on NUMA 0...", log.ToString());
        Assert.Contains("Stopping vio4wd_core_scheduler", log.ToString());
    }

    private static CoreSchedRequest WaitForUpdate(FakeService sched)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var update = sched.Requests.Select(CoreSchedRequest.Parser.ParseFrom).FirstOrDefault(r => r.Op == CoreSchedRequest.Types.Op.Update);
            if (update is not null)
                return update;
            Thread.Sleep(50);
        }
        throw new TimeoutException($"no UPDATE within {Patience}; requests: {string.Join(" ", sched.RequestsHex)}");
    }
}
