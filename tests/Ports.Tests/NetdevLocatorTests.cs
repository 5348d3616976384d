using VirtioForwarder.Ports.Netdev;
using VirtioForwarder.Ports.Tests.Support;

namespace VirtioForwarder.Ports.Tests;

public class NetdevLocatorTests
{
    [Theory]
    [InlineData("0000:05:08.2")]
    [InlineData("05:08.2")]
    public void APciFunctionResolvesToItsNetdevAndNumaNode(string spec)
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddPciFunction("0000:05:08.2", ["enp5s8f2"], numaNode: "1");

        var location = NetdevLocator.Locate(PortSpec.Parse(spec), sysfs.Root);

        Assert.Equal(new NetdevLocation("enp5s8f2", 1), location);
    }

    [Fact]
    public void AddressesCompareIgnoringCaseBothWays()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddPciFunction("0000:AF:1E.3", ["vf3"]);

        Assert.Equal("vf3", NetdevLocator.Locate(PortSpec.Parse("0000:af:1e.3"), sysfs.Root).InterfaceName);
        Assert.Equal("vf3", NetdevLocator.Locate(PortSpec.Parse("AF:1E.3"), sysfs.Root).InterfaceName);
    }

    [Theory]
    [InlineData(null, -1)]
    [InlineData("-1", -1)]
    [InlineData("0", 0)]
    [InlineData("3", 3)]
    [InlineData("garbage", -1)]
    [InlineData("-7", -1)]
    public void TheNumaNodeIsMinusOneWhenUnknown(string? file, int expected)
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddPciFunction("0000:05:08.2", ["vf0"], numaNode: file);

        Assert.Equal(expected, NetdevLocator.Locate(PortSpec.Parse("0000:05:08.2"), sysfs.Root).NumaNode);
    }

    [Fact]
    public void AMissingDeviceIsAnErrorNamingTheAddress()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddPciFunction("0000:05:08.2", ["vf0"]);

        var e = Assert.Throws<FileNotFoundException>(() => NetdevLocator.Locate(PortSpec.Parse("05:08.3"), sysfs.Root));

        Assert.Contains("port spec '05:08.3'", e.Message);
        Assert.Contains("no PCI device 0000:05:08.3", e.Message);
    }

    [Fact]
    public void AMissingSysfsTreeIsTheSameError()
    {
        var e = Assert.Throws<FileNotFoundException>(() => NetdevLocator.Locate(PortSpec.Parse("0000:05:08.3"), "/nonexistent-vfwd-sysfs"));
        Assert.Contains("0000:05:08.3", e.Message);
    }

    [Fact]
    public void AFunctionWithoutANetdevSaysSo()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddPciFunction("0000:05:08.2", []);

        var e = Assert.Throws<IOException>(() => NetdevLocator.Locate(PortSpec.Parse("0000:05:08.2"), sysfs.Root));

        Assert.Contains("PCI device 0000:05:08.2 has no network interface", e.Message);
    }

    [Fact]
    public void AFunctionWithSeveralNetdevsAsksForOne()
    {
        using var sysfs = new FakeSysfs();
        sysfs.AddPciFunction("0000:05:00.0", ["p1", "p0"]);

        var e = Assert.Throws<IOException>(() => NetdevLocator.Locate(PortSpec.Parse("0000:05:00.0"), sysfs.Root));

        Assert.Contains("several network interfaces (p0, p1); name one with netdev:<ifname>", e.Message);
    }

    [Fact]
    public void ANetdevIsTakenByNameWithTheNumaNodeOfItsDevice()
    {
        using var sysfs = new FakeSysfs();
        string device = sysfs.AddPciFunction("0000:05:08.2", ["vf0"], numaNode: "2");
        Directory.CreateDirectory(Path.Combine(sysfs.Root, "class", "net"));
        Directory.CreateSymbolicLink(Path.Combine(sysfs.Root, "class", "net", "vf0"), Path.Combine(device, "net", "vf0"));
        Directory.CreateSymbolicLink(Path.Combine(device, "net", "vf0", "device"), device);

        Assert.Equal(new NetdevLocation("vf0", 2), NetdevLocator.Locate(PortSpec.Parse("netdev:vf0"), sysfs.Root));
        Assert.Equal(new NetdevLocation("veth9", -1), NetdevLocator.Locate(PortSpec.Parse("netdev:veth9"), sysfs.Root));
    }

    [Fact]
    public void OtherKindsHaveNoNetdev()
    {
        Assert.Throws<ArgumentException>(() => NetdevLocator.Locate(PortSpec.Parse("tap:x"), "/sys"));
    }
}
