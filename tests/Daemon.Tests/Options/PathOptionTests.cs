using VirtioForwarder.Daemon.Options;

namespace VirtioForwarder.Daemon.Tests.Options;

public class PathOptionTests : CommandLineTestBase
{
    [Fact]
    public void PidPathMustBeAnExistingDirectory()
    {
        DaemonOptions o = Ok("-C1", "-p", Temp.Path);
        Assert.Equal(Temp.Path, o.PidDirectory);
        Assert.Equal(Temp.Path + "/virtio-forwarder.pid", o.PidFilePath);
        Assert.Equal(Temp.Path, Ok("-C1", "--pid-path=" + Temp.Path).PidDirectory);

        Assert.Contains("is not an existing directory", Fail("-C1", "-p", Temp.Path + "/missing"));
        File.WriteAllText(Temp.Path + "/file", "");
        Assert.StartsWith("Error with option '--pid-path'", Fail("-C1", "--pid-path", Temp.Path + "/file"));
    }

    [Fact]
    public void ControlSocketDefaultsIntoThePidDirectory() =>
        Assert.Equal(Temp.Path + "/virtio-forwarder.ctl", Ok("-p", Temp.Path, "-C1").ControlSocket);

    [Fact]
    public void ControlSocketOption()
    {
        Assert.Equal("/run/vfwd.ctl", Ok("-C1", "--control-socket=/run/vfwd.ctl", "-p", Temp.Path).ControlSocket);
        Assert.Equal("/run/vfwd.ctl", Ok("-C1", "--control-socket", "/run/vfwd.ctl").ControlSocket);
        Assert.Contains("cannot be empty", Fail("-C1", "--control-socket="));
        Assert.Contains("longer than 107 bytes", Fail("-C1", "--control-socket=/" + new string('c', 107)));
    }

    [Fact]
    public void TooLongDefaultControlSocketAsksForTheOption()
    {
        string deep = Temp.Create(new string('d', 100));
        Assert.Contains("choose another with --control-socket", Fail("-C1", "-p", deep));
    }

    [Fact]
    public void HugeDirMustBeAnExistingDirectory()
    {
        Assert.Equal(Temp.Path, Ok("-C1", "-H", Temp.Path).HugeDirectory);
        Assert.Equal(Temp.Path, Ok("-C1", "--huge-dir=" + Temp.Path).HugeDirectory);
        Assert.StartsWith("Error with option '-H'", Fail("-C1", "-H", Temp.Path + "/missing"));
    }

    [Fact]
    public void VhostPathIsUsedVerbatim()
    {
        Assert.Equal("/srv/vhost", Ok("-C1", "-V", "/srv/vhost").VhostPath);
        Assert.Equal("/srv/vhost/virtio-forwarder3.sock", Ok("-C1", "--vhost-path=/srv/vhost").SocketPath(3));
        Assert.Equal("/srv/vhost//virtio-forwarder3.sock", Ok("-C1", "--vhost-path=/srv/vhost/").SocketPath(3));
    }

    [Fact]
    public void VhostPathLength()
    {
        string longest = "/" + new string('v', 126);
        Assert.Equal(longest, Ok("-C1", "-V", longest).VhostPath);
        Assert.StartsWith("Error with option '-V'", Fail("-C1", "-V", longest + "v"));
        Assert.StartsWith("Error with option '-V'", Fail("-C1", "-V", ""));
    }

    [Fact]
    public void VhostSocketTemplate()
    {
        DaemonOptions o = Ok("-C1", "-S", "vm-%u.sock", "-V", "/run/vfwd");
        Assert.Equal("vm-%u.sock", o.SocketTemplate.Text);
        Assert.Equal("/run/vfwd/vm-12.sock", o.SocketPath(12));
        Assert.Equal(12, o.RelayForSocketPath("/run/vfwd/vm-12.sock"));
        Assert.Equal("/tmp/x7", Ok("-C1", "--vhost-socket=x%u").SocketPath(7));
    }

    [Theory]
    [InlineData("vm.sock", "Mandatory single '%u' not found")]
    [InlineData("vm%u-%u.sock", "More than one occurrence")]
    [InlineData("dir/vm%u.sock", "Invalid '/'")]
    [InlineData("vm%u0.sock", "may not contain a number after '%u'")]
    [InlineData("vm%u.sock-aaaaaaaaaaaaaaaaaaaaaaa", "longer than 31 bytes")]
    public void BadVhostSocketTemplateFails(string template, string error)
    {
        string message = Fail("-C1", "-S", template);
        Assert.StartsWith("Error with option '-S'", message);
        Assert.Contains(error, message);
    }

    [Fact]
    public void StaticPciPort()
    {
        StaticPort port = Ok("-C1", "-P", Pci + "=3").StaticPorts.Single();
        Assert.Equal(new StaticPort(Pci, 3), port);
        Assert.True(port.IsPciAddress);
        Assert.Equal([new StaticPort(Pci, 4)], Ok("-C1", "--add-pci-vf=" + Pci + "=4").StaticPorts);
    }

    /// <summary>Our extension: lspci's short form (domain 0000) names the same device.</summary>
    [Theory]
    [InlineData("05:08.1")]
    [InlineData("0000:05:08.1")]
    public void PciAddressesInOtherSpellingsNameTheDevice(string spec)
    {
        StaticPort port = Ok("-C1", $"-P{spec}=2").StaticPorts.Single();
        Assert.Equal(new StaticPort(spec, 2), port);
        Assert.True(port.IsPciAddress);
    }

    [Fact]
    public void MissingPciDeviceFails() =>
        Assert.Equal("Error with option '-P': Invalid PCI device '0000:05:08.2'", Fail("-C1", "-P0000:05:08.2=1"));

    [Theory]
    [InlineData("..=1")]
    [InlineData(".=1")]
    [InlineData("05:08.2=1")]
    [InlineData("0000:05:08.8=1")]
    [InlineData("=1")]
    [InlineData("0000:05:08.1")]
    [InlineData("0000:05:08.1=")]
    [InlineData("0000:05:08.1=x")]
    [InlineData("0000:05:08.1=-1")]
    [InlineData("0000:05:08.1=1 ")]
    public void BadStaticPortFails(string value) =>
        Assert.StartsWith("Error with option '-P'", Fail("-C1", "-P", value));

    [Fact]
    public void OurPortSpecsAreKeptAsWritten()
    {
        DaemonOptions o = Ok("-C1", "-Pnull=0", "-P", "null:9000=1", "--add-pci-vf", "tap:vfwd0=2", "-Ptap:a=b=3", "-Pnetdev:eth9=4");
        Assert.Equal([new StaticPort("null", 0), new StaticPort("null:9000", 1), new StaticPort("tap:vfwd0", 2), new StaticPort("tap:a=b", 3),
                new StaticPort("netdev:eth9", 4)],
            o.StaticPorts);
        Assert.All(o.StaticPorts, p => Assert.False(p.IsPciAddress));
    }

    [Fact]
    public void StaticPortIdsAreBelowMaxRelays()
    {
        Assert.Equal(63, Ok("-C1", "-Pnull=63").StaticPorts.Single().RelayId);
        Assert.Contains("Invalid virtio ID 64, valid range is 0..63", Fail("-C1", "-Pnull=64"));
        Assert.Contains("valid range is 0..3", Fail("-Pnull=4", "-C1", "--max-relays=4"));
        Assert.Equal(99, Ok("-C1", "--max-relays=100", "-Pnull=99").StaticPorts.Single().RelayId);
    }

    [Fact]
    public void AtMostMaxRelaysStaticPorts()
    {
        string[] ports = Enumerable.Range(0, 4).Select(i => $"-Pnull={i}").ToArray();
        Assert.Equal(4, Ok(["-C1", "--max-relays=4", .. ports]).StaticPorts.Count);
        Assert.Contains("at most 4 static ports", Fail(["-C1", "--max-relays=4", .. ports, "-Pnull=0"]));
    }

    [Fact]
    public void StaticPortsKeepCommandLineOrder() =>
        Assert.Equal([5, 1], Ok("-C1", "-Pnull=5", "-P" + Pci + "=1").StaticPorts.Select(p => p.RelayId));
}
