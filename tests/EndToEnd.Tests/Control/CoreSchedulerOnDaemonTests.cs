using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Daemon;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// The core scheduler daemon (contract §7.5), <c>vfwdctl sched</c> and upstream's
/// virtioforwarder_core_scheduler.py, against the real daemon: two relays whose VM→VF directions
/// carry testpmd's frames into null sinks, both pinned to worker CPU 0 of -C0,1. The scheduler
/// reads the rates over the stats service and moves one of them to CPU 1 with UPDATE; the daemon's
/// stats and the worker threads' affinity show it. Traffic runs only for the few seconds a test takes.
/// </summary>
public sealed partial class CoreSchedulerOnDaemonTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(10);

    [Fact]
    public void Vfwdctl_monitor_draws_the_load_and_sched_moves_a_relay_only_beyond_its_sensitivity()
    {
        using var rig = SchedulingRig.Start();

        // vfwdctl monitor (§7.6): the same load estimate as a bar per worker core, until Ctrl-C.
        using (var monitor = rig.StartScheduler(ProductPaths.Vfwdctl, "monitor", "--poll-interval=0.3"))
        {
            monitor.WaitForOutput(CpuLoads(), Timeout);
            monitor.WaitForOutput(BarOf(0), Timeout);
            monitor.WaitForOutput(BarOf(1), Timeout);
            Assert.True(monitor.Stop(NativeSignals.SigInt, StopLimit) == 0, monitor.LogTail());
        }

        // Sensitivity 10: no reassignment can beat the current spread by that much, so nothing moves.
        using (var patient = rig.StartScheduler(ProductPaths.Vfwdctl, "sched", "-n", "--poll-interval=0.3", "--sensitivity=10"))
        {
            patient.WaitForOutput(PollingLine(), Timeout);
            patient.WaitForOutput(StillBalanced(), Timeout);
            patient.WaitForOutput(StillBalanced(), Timeout, patient.LineCount);
            StopScheduler(patient);
            Assert.DoesNotContain("Migrating workers", patient.LogText);
            Assert.Contains("Stopping vio4wd_core_scheduler", patient.LogText);
        }
        rig.AssertBothOnCpu0();

        // Upstream's default sensitivity (0.25): one VM→VF direction goes to the idle worker.
        using var scheduler = rig.StartScheduler(ProductPaths.Vfwdctl, "sched", "-n", "--poll-interval=0.3");
        scheduler.WaitForOutput(MigratingOnNode0(), Timeout);
        scheduler.WaitForOutput(SchedulerOk(), Timeout);
        rig.AssertOneRelayMovedToCpu1(output);
        StopScheduler(scheduler);
        output.WriteLine(scheduler.LogText);
    }

    [Fact]
    public void Upstreams_core_scheduler_moves_a_relay()
    {
        if (UpstreamScripts.Find(output) is not { } scripts)
            return;
        using var rig = SchedulingRig.Start();

        // monitor_load (§7.6) prints only while relays are active: "CPU loads", then a bar per worker.
        using (var monitor = rig.StartScheduler(scripts.Command("virtioforwarder_monitor_load.py",
                   $"--stats-ep={rig.Zmq.Stats}", $"--sched-ep={rig.Zmq.CoreSched}", "--poll-interval=0.3")))
        {
            monitor.WaitForOutput(CpuLoads(), Timeout);
            monitor.WaitForOutput(BarOf(0), Timeout);
            monitor.WaitForOutput(BarOf(1), Timeout);
            // How it ends is the script's own affair, not the daemon's: Ctrl-C usually ends it at
            // once, but one that lands while a request is outstanding can leave its ZeroMQ context
            // waiting at exit, or one during os.system('clear') is ignored; Stop escalates then.
            monitor.Stop(NativeSignals.SigInt, TimeSpan.FromSeconds(3));
        }

        // It logs only to syslog (there is none here): the daemon's stats are the evidence.
        using var scheduler = rig.StartScheduler(scripts.Command("virtioforwarder_core_scheduler.py",
            $"--stats-ep={rig.Zmq.Stats}", $"--sched-ep={rig.Zmq.CoreSched}", "--poll-interval=0.3"));
        rig.AssertOneRelayMovedToCpu1(output);
        StopScheduler(scheduler);
    }

    [Fact]
    public void Without_the_core_sched_endpoint_the_scheduler_keeps_asking_and_stops_on_sigterm()
    {
        // The daemon opens core_sched only with -s (the start script passes it only when
        // VIO4WD_CORE_SCHED_ENABLE=true, §9.1); upstream's scheduler then retries every poll (§9.3).
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        using var daemon = DaemonProcess.Start(new DaemonConfig(workDir) { Ports = [DaemonPort.NullSink(0)], ExtraArguments = [$"-z{zmq.Stats}"] });
        using var scheduler = ManagedProcess.Start(
            new CommandLine(ProductPaths.Vfwdctl, "sched", "-n", "--poll-interval=0.3", $"--stats-ep={zmq.Stats}", $"--sched-ep={zmq.CoreSched}"),
            workDir.File("sched.log"));
        scheduler.WaitForOutput(NoCoreSchedServer(), Timeout);
        scheduler.WaitForOutput(NoCoreSchedServer(), Timeout, scheduler.LineCount);
        Assert.False(scheduler.HasExited, scheduler.LogTail());
        StopScheduler(scheduler);
        daemon.StopAndAssertCleanExit();
    }

    /// <summary>SIGTERM, as systemd stops the service: the scheduler ends its loop and exits 0.</summary>
    private static void StopScheduler(ManagedProcess scheduler) =>
        Assert.True(scheduler.Stop(NativeSignals.SigTerm, StopLimit) == 0, scheduler.LogTail());

    [GeneratedRegex(@"Polling every 0\.30 seconds\.")]
    private static partial Regex PollingLine();

    [GeneratedRegex("Worker cores still sufficiently balanced")]
    private static partial Regex StillBalanced();

    [GeneratedRegex(@"Migrating workers on NUMA 0\.\.\.")]
    private static partial Regex MigratingOnNode0();

    [GeneratedRegex("Scheduler response: OK")]
    private static partial Regex SchedulerOk();

    [GeneratedRegex("CPU loads")]
    private static partial Regex CpuLoads();

    private static Regex BarOf(int cpu) => new($"^CPU{cpu}: -*$");

    [GeneratedRegex("No response from core scheduler server")]
    private static partial Regex NoCoreSchedServer();

    /// <summary>The daemon on -C0,1 with relays 0 and 1 pinned to CPU 0 (-cR:0,0), each fed by a testpmd txonly frontend.</summary>
    private sealed class SchedulingRig : IDisposable
    {
        private readonly TestWorkDir _workDir;
        private readonly DaemonWithFrontends _frontends;

        private SchedulingRig(TestWorkDir workDir, DaemonWithFrontends frontends)
        {
            _workDir = workDir;
            _frontends = frontends;
            Zmq = new ZmqEndpoints(workDir);
        }

        public ZmqEndpoints Zmq { get; }

        private DaemonProcess Daemon => _frontends.Daemon;

        public static SchedulingRig Start()
        {
            var workDir = new TestWorkDir();
            var zmq = new ZmqEndpoints(workDir);
            var config = DaemonConfig.NullSinksOnTwoCpus(workDir, relays: 2, [$"-z{zmq.Stats}", $"-s{zmq.CoreSched}", "-c0:0,0", "-c1:0,0"]);
            DaemonWithFrontends frontends;
            try
            {
                frontends = DaemonWithFrontends.Start(config,
                    new FrontendOnRelay(0, ForwardMode.TxOnly), new FrontendOnRelay(1, ForwardMode.TxOnly));
            }
            catch
            {
                workDir.Dispose();
                throw;
            }
            var rig = new SchedulingRig(workDir, frontends);
            try
            {
                rig.Daemon.WaitForStats(s => s.Relay(0).VmToVf.TxPackets > 0 && s.Relay(1).VmToVf.TxPackets > 0, Timeout, "both relays forwarding");
                rig.AssertBothOnCpu0();
            }
            catch
            {
                rig.Dispose();
                throw;
            }
            return rig;
        }

        public ManagedProcess StartScheduler(string program, params string[] arguments) =>
            StartScheduler(new CommandLine(program, [.. arguments, $"--stats-ep={Zmq.Stats}", $"--sched-ep={Zmq.CoreSched}"]));

        public ManagedProcess StartScheduler(CommandLine command) => ManagedProcess.Start(command, _workDir.File($"sched-{Guid.NewGuid():N}.log"));

        public void AssertBothOnCpu0()
        {
            var stats = Daemon.Stats();
            Assert.True(stats.Relay(0).VmToVfCpu == 0 && stats.Relay(1).VmToVfCpu == 0, stats.ToString());
        }

        /// <summary>Waits until the VM→VF directions sit on different workers, then checks the threads' affinity.</summary>
        public void AssertOneRelayMovedToCpu1(ITestOutputHelper output)
        {
            var stats = Daemon.WaitForStats(s => s.Relay(0).VmToVfCpu + s.Relay(1).VmToVfCpu == 1, Timeout, "one VM→VF direction on CPU 1");
            output.WriteLine(stats.ToString());
            foreach (var relay in new[] { stats.Relay(0), stats.Relay(1) })
                Assert.Equal(relay.VmToVfCpu.ToString(), WorkerPlacementTests.Affinity(Daemon.Process.Pid, relay.VmToVfThread!.Value));
            Daemon.WaitForStats(s => s.Relay(0).VmToVf.TxPackets > stats.Relay(0).VmToVf.TxPackets
                                     && s.Relay(1).VmToVf.TxPackets > stats.Relay(1).VmToVf.TxPackets, Timeout, "both relays forwarding after the move");
        }

        public void Dispose()
        {
            _frontends.Dispose();
            _workDir.Dispose();
        }
    }
}
