using VirtioForwarder.Cli.Stats;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Tests;

public sealed class ArgumentTests
{
    // The core scheduler unit passes every variable as --opt=$VAR, blank or not (§9.3).
    [Fact]
    public void An_option_with_an_empty_value_means_its_default()
    {
        Assert.Equal(
            ["sched", "--stats-ep=ipc:///x", "-n", "--global-numa-opt"],
            VfwdctlCommand.WithoutEmptyValues(["sched", "--stats-ep=ipc:///x", "--sensitivity=", "-n", "--poll-interval=", "--global-numa-opt"]));
    }

    [Fact]
    public void Sched_options_parse_in_the_units_spelling()
    {
        var result = VfwdctlCommand.Create().Parse(VfwdctlCommand.WithoutEmptyValues(
            ["sched", "--stats-ep=ipc:///a", "--sched-ep=ipc:///b", "--sensitivity=0.5", "--poll-interval=", "--loglevel=6", "--global-numa-opt"]));
        Assert.Empty(result.Errors);
    }

    [Theory]
    [InlineData("stats", "--watch")]
    [InlineData("stats", "--watch", "2.5")]
    [InlineData("stats", "--control-socket", "/run/x.ctl", "--json")]
    [InlineData("pin", "--virtio-cpu=0:1,2", "--virtio-cpu", "1:2,1")]
    [InlineData("port", "remove_sock", "--vhost-path=/tmp/a.sock")]
    [InlineData("port", "add", "--name=b0", "--mode=4", "--pci-addr=05:08.1", "--pci-addr=05:08.2", "--virtio-id=3")]
    public void Upstream_and_extended_spellings_parse(params string[] args) =>
        Assert.Empty(VfwdctlCommand.Create().Parse(args).Errors);

    [Fact]
    public void The_watch_table_shows_state_cpus_rates_device_and_socket()
    {
        var relay = TestRelays.Active(0, vfToVm: 1, vmToVf: 2);
        relay.Vf = new RelayState.Types.VF { PciAddrStr = "0000:05:08.2" };
        relay.VfToVm.PktRateRxFromVf = 1_234_567f;
        relay.VfToVm.ByteRateRxFromVf = 125_000_000f;
        relay.VmToVf.PktRateTxToVf = 4_321f;
        var idle = TestRelays.Active(1, null, null);
        idle.Active = false;

        string table = StatsTable.Render(new StatsResponse { Status = StatsResponse.Types.Status.Ok, Relay = { relay, idle } });

        string[] lines = table.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^RELAY\s+STATE\s+CPU VF>VM\s+CPU VM>VF\s+VF>VM rx pps\s+tx pps\s+rx Mbps\s+tx Mbps\s+VM>VF rx pps\s+tx pps\s+rx Mbps\s+tx Mbps\s+DEVICE\s+SOCKET$", lines[0]);
        Assert.Matches(@"^\s*0\s+active\s+1\s+2\s+1\.23M\s+0\s+1000\.0\s+0\.0\s+0\s+4\.3k\s+0\.0\s+0\.0\s+0000:05:08\.2\s+/tmp/r0\.sock$", lines[1]);
        Assert.Matches(@"^\s*1\s+idle\s+-\s+-\s+0\s+0\s+0\.0\s+0\.0\s+0\s+0\s+0\.0\s+0\.0\s+-\s+/tmp/r1\.sock$", lines[2]);
    }
}
