using VirtioForwarder.Daemon.Options;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Daemon.Tests.Options;

public class ServiceOptionTests : CommandLineTestBase
{
    [Theory]
    [InlineData("-n", false)]
    [InlineData("--nodaemon", false)]
    [InlineData("-nlog_syslog", true)]
    [InlineData("--nodaemon=log_syslog", true)]
    [InlineData("-nlog_syslogx", false)]
    [InlineData("--nodaemon=", false)]
    [InlineData("--nod=log_syslog", true)]
    public void NoDaemon(string arg, bool syslog)
    {
        DaemonOptions o = Ok("-C1", arg);
        Assert.False(o.Daemonize);
        Assert.Equal(syslog, o.LogToSyslog);
    }

    [Fact]
    public void NoDaemonOnceOnStdoutStaysThere() => Assert.False(Ok("-C1", "-n", "-nlog_syslog").LogToSyslog);

    [Fact]
    public void NoDaemonValueMustBeAttached() =>
        Assert.Equal("Unhandled extra option 'log_syslog'", Fail("-C1", "-n", "log_syslog"));

    [Theory]
    [InlineData("0", LogLevel.Emergency)]
    [InlineData("6", LogLevel.Info)]
    [InlineData("7", LogLevel.Debug)]
    [InlineData("8", LogLevel.Debug)]
    [InlineData("100", LogLevel.Debug)]
    public void LogLevelIsClampedToDebug(string value, LogLevel expected)
    {
        Assert.Equal(expected, Ok("-C1", "-l", value).LogLevel);
        Assert.Equal(expected, Ok("-C1", "--loglevel=" + value).LogLevel);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("info")]
    [InlineData("")]
    public void BadLogLevelFails(string value) =>
        Assert.StartsWith("Error with option '-l'", Fail("-C1", "-l", value));

    [Fact]
    public void OvsdbSocket()
    {
        Assert.Equal("/run/ovs.sock", Ok("-C1", "-O", "/run/ovs.sock").OvsdbSocket);
        Assert.Equal("/run/ovs.sock", Ok("-C1", "--ovsdb-sock=/run/ovs.sock").OvsdbSocket);
    }

    [Fact]
    public void EndpointsWithoutValuesUseUpstreamDefaults()
    {
        DaemonOptions o = Ok("-C1", "-Y", "-Z", "-z");
        Assert.Equal("ipc:///var/run/virtio-forwarder/config", o.ConfigEndpoint);
        Assert.Equal("ipc:///var/run/virtio-forwarder/port_control", o.PortControlEndpoint);
        Assert.Equal("ipc:///var/run/virtio-forwarder/stats", o.StatsEndpoint);
        Assert.Null(o.CoreSchedEndpoint);
        Assert.Equal(PortControlSource.ZeroMq, o.PortControlSource);
    }

    [Fact]
    public void EndpointsWithAttachedValues()
    {
        DaemonOptions o = Ok("-C1", "-Yipc:///a", "--zmq-port-control-ep=ipc:///b", "-ztcp://127.0.0.1:5555", "--zmq-core-sched-ep=ipc:///d");
        Assert.Equal("ipc:///a", o.ConfigEndpoint);
        Assert.Equal("ipc:///b", o.PortControlEndpoint);
        Assert.Equal("tcp://127.0.0.1:5555", o.StatsEndpoint);
        Assert.Equal("ipc:///d", o.CoreSchedEndpoint);
    }

    [Theory]
    [InlineData("-Z", "ipc:///x")]
    [InlineData("--zmq-port-control-ep", "ipc:///x")]
    [InlineData("-Y", "ipc:///x")]
    [InlineData("-z", "ipc:///x")]
    [InlineData("-s", "ipc:///x")]
    public void SeparateEndpointIsAStrayArgument(string option, string value) =>
        Assert.Equal("Unhandled extra option 'ipc:///x'", Fail("-C1", option, value));

    [Fact]
    public void CoreSchedulerAlsoEnablesStats()
    {
        DaemonOptions o = Ok("-C1", "-s");
        Assert.Equal("ipc:///var/run/virtio-forwarder/core_sched", o.CoreSchedEndpoint);
        Assert.Equal("ipc:///var/run/virtio-forwarder/stats", o.StatsEndpoint);
    }

    [Fact]
    public void CoreSchedulerKeepsAGivenStatsEndpointInEitherOrder()
    {
        Assert.Equal("ipc:///st", Ok("-C1", "-zipc:///st", "-s").StatsEndpoint);
        Assert.Equal("ipc:///st", Ok("-C1", "-s", "-zipc:///st").StatsEndpoint);
    }

    [Fact]
    public void RepeatedEndpointWithoutValueKeepsTheEarlierValue() =>
        Assert.Equal("ipc:///mine", Ok("-C1", "-Zipc:///mine", "-Z").PortControlEndpoint);

    [Fact]
    public void EmptyEndpointFails() =>
        Assert.StartsWith("Error with option '--zmq-stats-ep'", Fail("-C1", "--zmq-stats-ep="));

    [Fact]
    public void PortControlBeatsFileIpc() =>
        Assert.Equal(PortControlSource.ZeroMq, Ok("-C1", "-I", "-Z").PortControlSource);

    [Theory]
    [InlineData("", null)]
    [InlineData("0", DaemonOptions.DefaultVfioVfToken)]
    [InlineData("0123abcd-0000-1111-2222-333344445555", "0123abcd-0000-1111-2222-333344445555")]
    public void VfioVfToken(string value, string? expected)
    {
        Assert.Equal(expected, Ok("-C1", "-t", value).VfioVfToken);
        Assert.Equal(expected, Ok("-C1", "--vfio-vf-token=" + value).VfioVfToken);
    }

    [Fact]
    public void AbsentOwnerAndGroupMeanUpstreamDefaults()
    {
        DaemonOptions o = Ok("-C1");
        Assert.Equal("libvirt-qemu", o.SocketUser.Name);
        Assert.Equal("kvm", o.SocketGroup.Name);
        Assert.False(o.SocketUser.IsInherit);
    }

    [Theory]
    [InlineData("-u", "-g")]
    [InlineData("--vhost-username", "--vhost-groupname")]
    [InlineData("--vhost-username=", "--vhost-groupname=")]
    [InlineData("--vhost-u", "--vhost-g")]
    public void OwnerAndGroupWithoutValueInherit(string user, string group)
    {
        DaemonOptions o = Ok("-C1", user, group);
        Assert.Same(OwnerSpec.Inherit, o.SocketUser);
        Assert.Same(OwnerSpec.Inherit, o.SocketGroup);
    }

    [Fact]
    public void OwnerAndGroupWithValues()
    {
        DaemonOptions o = Ok("-C1", "-uqemu", "--vhost-groupname=qemu-grp");
        Assert.Equal(OwnerSpec.Named("qemu"), o.SocketUser);
        Assert.Equal(OwnerSpec.Named("qemu-grp"), o.SocketGroup);
    }

    [Fact]
    public void SeparateOwnerIsAStrayArgument() =>
        Assert.Equal("Unhandled extra option 'qemu'", Fail("-C1", "-u", "qemu"));
}
