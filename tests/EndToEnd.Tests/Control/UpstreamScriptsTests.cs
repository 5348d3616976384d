using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// Upstream's own Python clients (scripts/python3, contract §7) against the daemon over ipc://.
/// They run only when VFWD_UPSTREAM_SCRIPTS points at a copy (<see cref="UpstreamScripts"/>);
/// without it the test passes and says so. Their core scheduler and load monitor need relays
/// carrying traffic and run in <see cref="CoreSchedulerOnDaemonTests"/>.
/// </summary>
public sealed class UpstreamScriptsTests(ITestOutputHelper output)
{
    private const string DefaultEndpointDirectory = "/var/run/virtio-forwarder";
    private const string DefaultEndpointsLock = "/var/tmp/vfwd-default-endpoints.lock";

    [Fact]
    public void Upstreams_clients_work_against_the_daemon()
    {
        if (UpstreamScripts.Find(output) is not { } run)
            return;
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir)
        {
            MaxRelays = 2,
            Ports = [DaemonPort.NullSink(0)],
            ExtraArguments = [.. zmq.Arguments, "-c0:1,1"],
        };
        using var daemon = DaemonProcess.Start(config);

        // port_control (§7.1): query, a failing add and remove, socket pairs.
        Assert.Equal((0, "null"), run.Run("virtioforwarder_port_control.py", "query_pci", $"--vhost-path={config.SocketPath(0)}", $"--zmq_ep={zmq.PortControl}"));
        Assert.Equal((0, ""), run.Run("virtioforwarder_port_control.py", "query_pci", $"--vhost-path={config.SocketPath(1)}", $"--zmq_ep={zmq.PortControl}"));
        var add = run.Run("virtioforwarder_port_control.py", "add", "--virtio-id=0", "--pci-addr=0000:05:08.2", $"--zmq_ep={zmq.PortControl}");
        Assert.Equal((1, "status: ERROR\nerror_code: 8\nerror_code_source: \"virtio_forwarder_add_vf2()\""), add);
        var remove = run.Run("virtioforwarder_port_control.py", "remove", "--virtio-id=0", "--pci-addr=05:08.2", $"--zmq_ep={zmq.PortControl}");
        Assert.Equal((1, "status: ERROR\nerror_code: 3\nerror_code_source: \"virtio_forwarder_remove_vf2()\""), remove);
        var addSock = run.Run("virtioforwarder_port_control.py", "add_sock", $"--vhost-path={workDir.File("vm-a.sock")}", "--pci-addr=0000:05:08.2", $"--zmq_ep={zmq.PortControl}");
        Assert.Equal((1, "status: ERROR\nerror_code: 2\nerror_code_source: \"virtio_add_sock_dev_pair()\""), addSock);

        // stats (§7.2), flat and protobuf.
        var (rc, flat) = run.Run("virtioforwarder_stats.py", $"--stats-ep={zmq.Stats}", "--include-inactive", "--delay=0");
        Assert.Equal(0, rc);
        Assert.Contains("relay_0.active=False", flat);
        Assert.Contains("relay_0.cpu.vf_to_vm=1", flat);
        Assert.Contains("relay_0.vf.pci_addr_str=null", flat);
        Assert.Contains($"relay_1.vhost.vhost_socket_name={config.SocketPath(1)}", flat);
        Assert.Contains("relay_0.vf_to_vm.internal_state=DPDK_ADDED", flat);
        Assert.Contains("relay_0.vf_to_vm.cpu_1.pkt_rate_rx_from_vf=0.0", flat);
        Assert.DoesNotContain("relay_1.vf_to_vm.pkts_rx_from_vf", flat);
        var (prc, text) = run.Run("virtioforwarder_stats.py", $"--stats-ep={zmq.Stats}", "--include-inactive", "--output-format=protobuf");
        Assert.Equal(0, prc);
        Assert.StartsWith("status: OK", text);
        Assert.Contains("socket_id: 4294967295", text);

        // core pinner (§7.3): an UPDATE, answered OK, then the table of the one worker core.
        var (crc, pinner) = run.Run("virtioforwarder_core_pinner.py", $"--stats-ep={zmq.Stats}", $"--sched-ep={zmq.CoreSched}", "--virtio-cpu=0:1,1");
        Assert.Equal(0, crc);
        Assert.Equal("Setting relay 0=1,1\nScheduler response: OK\nNew worker core mapping:\n========\n== 01 ==\n========", pinner);

        // config (§7.4): the -c pin.
        var (frc, pins) = run.Run("virtioforwarder_config.py", $"--config-ep={zmq.Config}");
        Assert.Equal(0, frc);
        Assert.Equal("status: OK\nrelay_cpu_map {\n  relay_number: 0\n  vf2virtio_cpu: 1\n  virtio2vf_cpu: 1\n}", pins);

        daemon.StopAndAssertCleanExit();
    }

    [Fact]
    public void Upstreams_clients_reach_the_daemon_on_its_default_endpoints()
    {
        if (UpstreamScripts.Find(output) is not { } run)
            return;
        // One test run at a time owns the system-wide endpoints.
        using var serialized = FileLock.Acquire(DefaultEndpointsLock);
        bool created = !Directory.Exists(DefaultEndpointDirectory);
        // libzmq does not make the directory; the pre-start script does (§1, §9.3).
        Directory.CreateDirectory(DefaultEndpointDirectory);
        try
        {
            using var workDir = new TestWorkDir();
            // The options without values: each service on its ipc:///var/run/virtio-forwarder/ default (§8).
            var config = new DaemonConfig(workDir) { Ports = [DaemonPort.NullSink(0)], ExtraArguments = ["-Z", "-z", "-s", "-Y", "-c0:1,1"] };
            using var daemon = DaemonProcess.Start(config);

            // No endpoint flags: each script uses its default.
            Assert.Equal((0, "null"), run.Run("virtioforwarder_port_control.py", "query_pci", $"--vhost-path={config.SocketPath(0)}"));
            var (rc, flat) = run.Run("virtioforwarder_stats.py", "--include-inactive");
            Assert.Equal(0, rc);
            Assert.Contains("relay_0.vf.pci_addr_str=null", flat);
            Assert.Equal((0, "Worker cores affinities:\n========\n== 01 ==\n========"), run.Run("virtioforwarder_core_pinner.py", "--print-core-map"));
            var (crc, pins) = run.Run("virtioforwarder_config.py");
            Assert.Equal(0, crc);
            Assert.Contains("relay_number: 0", pins);
            daemon.StopAndAssertCleanExit();
        }
        finally
        {
            if (created)
                Directory.Delete(DefaultEndpointDirectory, recursive: true);
        }
    }
}
