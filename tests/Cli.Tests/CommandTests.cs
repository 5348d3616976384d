using System.Text.Json;
using Google.Protobuf;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Tests;

/// <summary>Each subcommand against stand-in services over real libzmq: what goes on the wire, what is printed, the exit status.</summary>
public sealed class CommandTests
{
    private static Func<byte[], byte[]> Always(IMessage reply) => _ => reply.ToByteArray();

    private static readonly PortControlResponse Ok = new() { Status = PortControlResponse.Types.Status.Ok };

    [Fact]
    public void Port_add_sends_upstreams_request_and_prints_nothing_on_success()
    {
        using var service = new FakeService(Always(Ok));

        var result = Vfwdctl.Run("port", "add", "--virtio-id=1", "--pci-addr=0000:05:08.2", $"--zmq-ep={service.Endpoint}");

        Assert.Equal(new Vfwdctl.Result(0, "", ""), result);
        Assert.Equal(["08001208080010051808200218012000"], service.RequestsHex);
    }

    [Fact]
    public void Port_errors_print_the_code_and_its_meaning_and_exit_1()
    {
        using var service = new FakeService(Always(new PortControlResponse
        {
            Status = PortControlResponse.Types.Status.Error, ErrorCode = 8, ErrorCodeSource = "virtio_forwarder_add_vf2()",
        }));

        var result = Vfwdctl.Run("port", "add", "--virtio-id", "1", "--pci-addr", "0000:05:08.2", "--zmq_ep", service.Endpoint);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal("vfwdctl: error 8: relay 1 already has another device (virtio_forwarder_add_vf2())\n", result.Error);
    }

    [Fact]
    public void Upstreams_operation_spellings_are_accepted()
    {
        using var service = new FakeService(Always(new PortControlResponse { Status = PortControlResponse.Types.Status.Ok, QueryString = "0000:05:08.2" }));

        var query = Vfwdctl.Run("port", "query_pci", "--vhost-path=/tmp/a.sock", $"--zmq_ep={service.Endpoint}");
        var addSock = Vfwdctl.Run("port", "add_sock", "--vhost-path=/tmp/a.sock", "--pci-addr=05:08.2", "--conditional", $"--zmq_ep={service.Endpoint}");

        Assert.Equal(new Vfwdctl.Result(0, "0000:05:08.2\n", ""), query);
        Assert.Equal(0, addSock.ExitCode);
        var requests = service.Requests.Select(PortControlRequest.Parser.ParseFrom).ToList();
        Assert.Equal(PortControlRequest.Types.Op.QueryPci, requests[0].Op);
        Assert.Equal((PortControlRequest.Types.Op.AddSock, true, "/tmp/a.sock"), (requests[1].Op, requests[1].Conditional, requests[1].VhostPath));
    }

    [Theory]
    [InlineData("port", "add", "--mode", "7", "--name", "b")]
    [InlineData("port", "add", "--virtio-id", "-1")]
    [InlineData("port", "frobnicate")]
    [InlineData("stats", "--output-format", "xml")]
    public void Bad_arguments_are_refused_before_anything_is_sent(params string[] args)
    {
        var result = Vfwdctl.Run(args);
        Assert.NotEqual(0, result.ExitCode);
        Assert.NotEmpty(result.Error);
    }

    [Fact]
    public void A_bad_pci_address_stops_the_command_before_sending()
    {
        using var service = new FakeService(Always(Ok));

        var result = Vfwdctl.Run("port", "add", "--virtio-id=1", "--pci-addr=0000:05:08.z", $"--zmq-ep={service.Endpoint}");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("badly formatted PCI address '0000:05:08.z'", result.Error);
        Assert.Empty(service.Requests);
    }

    [Fact]
    public void A_silent_endpoint_is_named_in_the_timeout_error()
    {
        string endpoint = $"ipc://{Path.GetTempPath()}vfwdctl-test-nobody-{Guid.NewGuid():N}";

        var result = Vfwdctl.Run("port", "remove", "--virtio-id=1", $"--zmq-ep={endpoint}");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"vfwdctl: no reply from {endpoint} within 2000 ms: is the daemon running with that service enabled?\n", result.Error);
    }

    [Fact]
    public void Stats_asks_like_upstreams_client_and_prints_the_flat_format()
    {
        using var service = new FakeService(Always(Vectors.StatsReply));

        var result = Vfwdctl.Run("stats", $"--stats-ep={service.Endpoint}");

        Assert.Equal(new Vfwdctl.Result(0, Vectors.Read("stats-flat.txt"), ""), result);
        Assert.Equal(["100018c801"], service.RequestsHex);
    }

    [Fact]
    public void Stats_options_reach_the_request_and_the_formats()
    {
        using var service = new FakeService(Always(Vectors.StatsReply));

        var text = Vfwdctl.Run("stats", "--include-inactive", "--delay", "0", "--output-format", "protobuf", "--stats-ep", service.Endpoint);
        var suppressed = Vfwdctl.Run("stats", "-z", "--all", "--stats-ep", service.Endpoint);
        var json = Vfwdctl.Run("stats", "--json", "--stats-ep", service.Endpoint);

        Assert.Equal(["10011800", "100118c801", "100018c801"], service.RequestsHex);
        Assert.Equal(Vectors.Read("stats-text.txt") + "\n", text.Output);
        Assert.Equal(Vectors.Read("stats-flat-suppress-zero.txt"), suppressed.Output);
        using var parsed = JsonDocument.Parse(json.Output);
        var relay0 = parsed.RootElement.GetProperty("relay")[0];
        Assert.Equal("OK", parsed.RootElement.GetProperty("status").GetString());
        Assert.Equal("1324", relay0.GetProperty("vf_to_vm").GetProperty("pkts_rx_from_vf").GetString());
        Assert.Equal("/tmp/vfwd/virtio-forwarder0.sock", relay0.GetProperty("vhost").GetProperty("vhost_socket_name").GetString());
    }

    [Fact]
    public void A_stats_status_other_than_ok_is_reported_with_exit_1()
    {
        using var service = new FakeService(Always(new StatsResponse { Status = StatsResponse.Types.Status.E2Big }));

        var result = Vfwdctl.Run("stats", "--stats-ep", service.Endpoint);

        Assert.Equal(new Vfwdctl.Result(1, "", "vfwdctl: StatsResponse: E2BIG\n"), result);
    }

    [Fact]
    public void Pin_without_mappings_asks_stats_and_cores_then_prints_the_table()
    {
        using var stats = new FakeService(Always(OneActiveRelay()));
        using var sched = new FakeService(Always(Cores(1, 2)));

        var result = Vfwdctl.Run("pin", $"--stats-ep={stats.Endpoint}", $"--sched-ep={sched.Endpoint}");

        Assert.Equal(new Vfwdctl.Result(0, "Worker cores affinities:\n===================\n== 01 ==   == 02 ==\n      00   00\n===================\n", ""), result);
        Assert.Equal(["1000"], stats.RequestsHex);
        Assert.Equal(["0801"], sched.RequestsHex);
    }

    [Fact]
    public void Pin_with_mappings_sends_one_update_then_reads_the_stats_again()
    {
        using var stats = new FakeService(Always(OneActiveRelay()));
        using var sched = new FakeService(request => request.SequenceEqual(new byte[] { 0x08, 0x01 })
            ? Cores(1, 2).ToByteArray()
            : new CoreSchedResponse { Status = CoreSchedResponse.Types.Status.Ok }.ToByteArray());

        var result = Vfwdctl.Run("pin", "--virtio-cpu=0:1,1", $"--stats-ep={stats.Endpoint}", $"--sched-ep={sched.Endpoint}");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(
            "Setting relay 0=1,1\nScheduler response: OK\nNew worker core mapping:\n===================\n== 01 ==   == 02 ==\n      00   00\n===================\n",
            result.Output);
        Assert.Equal(["1000", "1000"], stats.RequestsHex);
        // §7.3's example UPDATE: {op: UPDATE relay_cpu_map {relay_number: 0 vf2virtio_cpu: 1 virtio2vf_cpu: 1}}.
        Assert.Equal(["0801", "08001206080010011801"], sched.RequestsHex);
    }

    [Fact]
    public void Config_sends_an_empty_request_and_prints_the_text_format()
    {
        var reply = new ConfigResponse { Status = ConfigResponse.Types.Status.Ok };
        reply.RelayCpuMap.Add(new ConfigResponse.Types.RelayCPU { RelayNumber = 0, Vf2VirtioCpu = 1, Virtio2VfCpu = 2 });
        using var service = new FakeService(Always(reply));

        var result = Vfwdctl.Run("config", $"--config-ep={service.Endpoint}");

        Assert.Equal(new Vfwdctl.Result(0, "status: OK\nrelay_cpu_map {\n  relay_number: 0\n  vf2virtio_cpu: 1\n  virtio2vf_cpu: 2\n}\n\n", ""), result);
        Assert.Equal([""], service.RequestsHex);
    }

    [Fact]
    public void A_reply_missing_required_fields_is_refused()
    {
        using var service = new FakeService(_ => []);

        var result = Vfwdctl.Run("port", "remove", "--virtio-id=1", $"--zmq-ep={service.Endpoint}");

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"vfwdctl: malformed reply from {service.Endpoint}", result.Error);
    }

    private static StatsResponse OneActiveRelay() =>
        new() { Status = StatsResponse.Types.Status.Ok, Relay = { TestRelays.Active(0, vfToVm: 1, vmToVf: 2) } };

    private static CoreSchedResponse Cores(params uint[] cores) =>
        new() { Status = CoreSchedResponse.Types.Status.Ok, EalCores = { cores } };
}
