using VirtioForwarder.Daemon.Options;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Daemon.Tests.Options;

public class DefaultsAndFlagsTests : CommandLineTestBase
{
    [Fact]
    public void OnlyCpusGivesUpstreamDefaults()
    {
        DaemonOptions o = Ok("-C1,2");
        Assert.Equal(CpuSet.Of(1, 2), o.WorkerCpus);
        Assert.Equal(0, o.MainLcore);
        Assert.True(o.Daemonize);
        Assert.True(o.LogToSyslog);
        Assert.Equal(LogLevel.Info, o.LogLevel);
        Assert.Equal("/var/run", o.PidDirectory);
        Assert.Equal("/var/run/virtio-forwarder.pid", o.PidFilePath);
        Assert.Equal("/mnt/huge", o.HugeDirectory);
        Assert.Equal("/usr/local/var/run/openvswitch/db.sock", o.OvsdbSocket);
        Assert.Null(o.ConfigEndpoint);
        Assert.Null(o.PortControlEndpoint);
        Assert.Null(o.StatsEndpoint);
        Assert.Null(o.CoreSchedEndpoint);
        Assert.False(o.UseFileIpc);
        Assert.Equal(PortControlSource.Ovsdb, o.PortControlSource);
        Assert.Equal(OwnerSpec.Named("libvirt-qemu"), o.SocketUser);
        Assert.Equal(OwnerSpec.Named("kvm"), o.SocketGroup);
        Assert.Equal("/tmp", o.VhostPath);
        Assert.Equal("virtio-forwarder%u.sock", o.SocketTemplate.Text);
        Assert.Equal("/tmp/virtio-forwarder5.sock", o.SocketPath(5));
        Assert.Empty(o.Pins);
        Assert.Empty(o.StaticPorts);
        Assert.False(o.Jumbo || o.MergeableRxBuffers || o.Tso || o.VhostUserClient || o.ZeroCopy || o.DynamicSockets || o.SameNuma);
        Assert.Null(o.VfioVfToken);
        Assert.Equal("/var/run/virtio-forwarder.ctl", o.ControlSocket);
        Assert.Equal(64, o.MaxRelays);
        Assert.Equal(PortDriver.Auto, o.PortDriver);
        Assert.Equal(PollMode.Adaptive, o.Poll);
    }

    [Fact]
    public void ParsedDefaultsEqualARecordBuiltInCode()
    {
        // Lists compare by reference in records: give both sides the same (empty) ones.
        RelayPin[] pins = [];
        StaticPort[] ports = [];
        Assert.Equal(new DaemonOptions { WorkerCpus = CpuSet.Of(3), Pins = pins, StaticPorts = ports },
            Ok("-C3") with { Pins = pins, StaticPorts = ports });
    }

    [Fact]
    public void ShortFlags()
    {
        DaemonOptions o = Ok("-C1", "-J", "-R", "-T", "-i", "-0", "-d", "-a", "-I");
        Assert.True(o.Jumbo && o.MergeableRxBuffers && o.Tso && o.VhostUserClient && o.ZeroCopy && o.DynamicSockets && o.SameNuma && o.UseFileIpc);
    }

    [Fact]
    public void LongFlags()
    {
        DaemonOptions o = Ok("--cpus=1", "--enable-jumbo", "--enable-mrgbuf", "--enable-tso", "--vhostuser-client",
            "--zero-copy", "--dynamic-sockets", "--same-numa", "--ipc");
        Assert.True(o.Jumbo && o.MergeableRxBuffers && o.Tso && o.VhostUserClient && o.ZeroCopy && o.DynamicSockets && o.SameNuma && o.UseFileIpc);
        Assert.Equal(PortControlSource.FileIpc, o.PortControlSource);
    }

    [Fact]
    public void ClusteredFlagsWithCpusLast()
    {
        DaemonOptions o = Ok("-JRdC0x6");
        Assert.True(o.Jumbo && o.MergeableRxBuffers && o.DynamicSockets);
        Assert.Equal(CpuSet.Of(1, 2), o.WorkerCpus);
    }

    [Fact]
    public void FlagWithValueFails() =>
        Assert.Equal("Option '--enable-jumbo' does not take a value", Fail("-C1", "--enable-jumbo=yes"));

    [Fact]
    public void PackagedConfigurationCommandLine()
    {
        // What the start script builds from the shipped /etc/default/virtioforwarder (contract §9.1, §9.2).
        DaemonOptions o = Ok("-C1,2", "-l", "6", "-p", Temp.Path, "--zmq-port-control-ep=ipc:///var/run/virtio-forwarder/port_control",
            "--zmq-stats-ep=ipc:///var/run/virtio-forwarder/stats", "--zmq-core-sched-ep=ipc:///var/run/virtio-forwarder/core_sched",
            "--ipc", "--vhost-path=/tmp/virtio-forwarder", "-J", "--enable-mrgbuf", "--vhostuser-client", "--nodaemon=log_syslog");
        Assert.Equal(PortControlSource.ZeroMq, o.PortControlSource);
        Assert.False(o.Daemonize);
        Assert.True(o.LogToSyslog);
        Assert.True(o.VhostUserClient);
        Assert.Equal("/tmp/virtio-forwarder/virtio-forwarder0.sock", o.SocketPath(0));
        Assert.Equal(Temp.Path + "/virtio-forwarder.ctl", o.ControlSocket);
    }

    [Theory]
    [InlineData("auto", PortDriver.Auto)]
    [InlineData("xdp", PortDriver.Xdp)]
    [InlineData("packet", PortDriver.Packet)]
    public void PortDriverChoices(string value, PortDriver expected)
    {
        Assert.Equal(expected, Ok("-C1", "--port-driver=" + value).PortDriver);
        Assert.Equal(expected, Ok("-C1", "--port-driver", value).PortDriver);
    }

    [Theory]
    [InlineData("adaptive", PollMode.Adaptive)]
    [InlineData("busy", PollMode.Busy)]
    public void PollChoices(string value, PollMode expected) =>
        Assert.Equal(expected, Ok("-C1", "--poll=" + value).Poll);

    [Theory]
    [InlineData("--port-driver=dpdk")]
    [InlineData("--port-driver=XDP")]
    [InlineData("--poll=sleepy")]
    [InlineData("--poll=")]
    public void BadChoicesFail(string arg) =>
        Assert.Contains("expected one of", Fail("-C1", arg));

    [Theory]
    [InlineData("1", 1)]
    [InlineData("64", 64)]
    [InlineData("4096", 4096)]
    public void MaxRelays(string value, int expected) =>
        Assert.Equal(expected, Ok("-C1", "--max-relays", value).MaxRelays);

    [Theory]
    [InlineData("0")]
    [InlineData("4097")]
    [InlineData("-1")]
    [InlineData("eight")]
    public void BadMaxRelaysFail(string value) =>
        Assert.StartsWith("Error with option '--max-relays'", Fail("-C1", "--max-relays=" + value));

    [Fact]
    public void MaxRelaysLimitsSocketLookup()
    {
        DaemonOptions o = Ok("-C1", "--max-relays=8");
        Assert.Equal(7, o.RelayForSocketPath("/tmp/virtio-forwarder7.sock"));
        Assert.Null(o.RelayForSocketPath("/tmp/virtio-forwarder8.sock"));
    }
}
