using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// vfwdctl's upstream-style subcommands against the published daemon's ZeroMQ services over
/// ipc:// in the test's work folder (docs/control-contract.md §3–7). Relay 0 holds a null port;
/// relay 1 has a socket and nothing else; no PCI device exists on the test machine, so adds of
/// PCI addresses exercise the error paths.
/// </summary>
public sealed partial class VfwdctlZmqTests
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public void Port_control_answers_with_codes_and_their_meanings()
    {
        using var work = new TestWorkDir();
        var config = new DaemonConfig(work) { MaxRelays = 2, Ports = [DaemonPort.NullSink(0)] };
        using var daemon = StartWithServices(config);

        var occupied = Vfwdctl(work, "port", "add", "--virtio-id=0", "--pci-addr=0000:05:08.2", $"--zmq-ep={Endpoint(work, "port_control")}");
        Assert.Equal(1, occupied.ExitCode);
        Assert.Contains("error 8: relay 0 already has another device (virtio_forwarder_add_vf2())", occupied.Output);

        var absent = Vfwdctl(work, "port", "remove", "--virtio-id=1", $"--zmq_ep={Endpoint(work, "port_control")}");
        Assert.Contains("error 4: relay 1 has no device attached", absent.Output);
        Assert.Equal(0, Vfwdctl(work, "port", "remove", "--virtio-id=1", "--conditional", $"--zmq_ep={Endpoint(work, "port_control")}").ExitCode);

        var query = Vfwdctl(work, "port", "query", $"--vhost-path={config.SocketPath(0)}", $"--zmq-ep={Endpoint(work, "port_control")}");
        Assert.Equal((0, "null"), (query.ExitCode, query.Output.Trim()));
        var unknown = Vfwdctl(work, "port", "query_pci", $"--vhost-path={work.File("nobody.sock")}", $"--zmq-ep={Endpoint(work, "port_control")}");
        Assert.Contains("error 2: no relay has that vhost-user path (virtio_query_pci())", unknown.Output);

        // Static sockets: no relay is idle (§3.3) until REMOVE_SOCK frees relay 1.
        var full = Vfwdctl(work, "port", "add-sock", $"--vhost-path={work.File("new.sock")}", "--pci-addr=0000:ff:1f.7", $"--zmq-ep={Endpoint(work, "port_control")}");
        Assert.Contains("error 2: no idle relay is left", full.Output);
        Assert.Equal(0, Vfwdctl(work, "port", "remove-sock", $"--vhost-path={config.SocketPath(1)}", "--conditional", $"--zmq-ep={Endpoint(work, "port_control")}").ExitCode);
        var noDevice = Vfwdctl(work, "port", "add_sock", $"--vhost-path={work.File("new.sock")}", "--pci-addr=0000:ff:1f.7", $"--zmq-ep={Endpoint(work, "port_control")}");
        Assert.Contains("error 3: attaching the device to the chosen relay failed", noDevice.Output);
    }

    [Fact]
    public void Stats_pin_and_config_read_the_running_daemon()
    {
        using var work = new TestWorkDir();
        var config = new DaemonConfig(work) { MaxRelays = 2, Ports = [DaemonPort.NullSink(0)] };
        using var daemon = StartWithServices(config);

        var flat = Vfwdctl(work, "stats", "--include-inactive", $"--stats-ep={Endpoint(work, "stats")}");
        Assert.Equal(0, flat.ExitCode);
        Assert.Contains("relay_0.active=False", flat.Output);
        Assert.Contains($"relay_0.vhost.vhost_socket_name={config.SocketPath(0)}", flat.Output);
        Assert.Contains("relay_0.vf_to_vm.internal_state=DPDK_ADDED", flat.Output);

        // Without a delay the rates cover a window of microseconds (§4.1): there, and zero.
        var instant = Vfwdctl(work, "stats", "--include-inactive", "--delay=0", $"--stats-ep={Endpoint(work, "stats")}");
        Assert.Equal(0, instant.ExitCode);
        Assert.Contains("relay_0.vf_to_vm.cpu_1.pkt_rate_rx_from_vf=0.0", instant.Output);

        var json = Vfwdctl(work, "stats", "--json", "--include-inactive", $"--stats-ep={Endpoint(work, "stats")}");
        Assert.Contains("\"status\": \"OK\"", json.Output);

        var pin = Vfwdctl(work, "pin", "--print-core-map", $"--stats-ep={Endpoint(work, "stats")}", $"--sched-ep={Endpoint(work, "core_sched")}");
        Assert.Equal((0, "Worker cores affinities:\n========\n== 01 ==\n========\n"), (pin.ExitCode, pin.Output));

        // The core pinner's UPDATE (§7.3), answered OK; relay 0 is not active, so its table is empty.
        var update = Vfwdctl(work, "pin", "--virtio-cpu=0:1,1", $"--stats-ep={Endpoint(work, "stats")}", $"--sched-ep={Endpoint(work, "core_sched")}");
        Assert.Equal((0, "Setting relay 0=1,1\nScheduler response: OK\nNew worker core mapping:\n========\n== 01 ==\n========\n"), (update.ExitCode, update.Output));

        var cfg = Vfwdctl(work, "config", $"--config-ep={Endpoint(work, "config")}");
        Assert.Equal((0, "status: OK\n\n"), (cfg.ExitCode, cfg.Output));
    }

    private static string Endpoint(TestWorkDir work, string service) => $"ipc://{work.File(service)}";

    private static CommandResult Vfwdctl(TestWorkDir work, params string[] args) =>
        HostCommand.Run(new CommandLine(ProductPaths.Vfwdctl, args), TimeSpan.FromSeconds(30));

    private static ManagedProcess StartWithServices(DaemonConfig config)
    {
        var work = config.WorkDir;
        var command = new CommandLine(ProductPaths.Daemon,
        [
            .. config.Arguments(),
            $"-Z{Endpoint(work, "port_control")}", $"-z{Endpoint(work, "stats")}",
            $"-s{Endpoint(work, "core_sched")}", $"-Y{Endpoint(work, "config")}",
        ]);
        var daemon = ManagedProcess.Start(command, work.File("daemon.log"));
        try
        {
            daemon.WaitForOutput(ReadyLine(), ReadyTimeout);
        }
        catch
        {
            daemon.Dispose();
            throw;
        }
        return daemon;
    }

    [GeneratedRegex("virtio-forwarder ready")]
    private static partial Regex ReadyLine();
}
