using VirtioForwarder.Control.LegacyPorts;

namespace VirtioForwarder.Control.Tests.LegacyPorts;

public sealed class NetdevResolverTests : IDisposable
{
    private readonly FakeSysfs _sysfs = new();
    private readonly Dictionary<string, string> _busInfo = [];

    public NetdevResolverTests()
    {
        _sysfs.AddPciNetdev("enp1s0f0", "0000:01:00.0");
        _sysfs.AddVfNetdev("enp1s0f0v3", "0000:01:00.0", 3, "0000:01:10.6");
        _sysfs.AddVfNetdev("enp1s0f0v12", "0000:01:00.0", 12, "0000:01:1a.2");
        _sysfs.AddVirtualNetdev("veth7");
    }

    private NetdevResolver Resolver => new(n => _busInfo.GetValueOrDefault(n), new SysfsNetdev(_sysfs.Root));

    private ResolvedPort? Resolve(string netdev, int? relay = null) => Resolver.Resolve(new PortIntent(netdev, relay), out _);

    [Fact]
    public void A_given_relay_wins_and_a_virtual_netdev_is_attached_by_name() =>
        Assert.Equal(new ResolvedPort(5, "netdev:veth7"), Resolve("veth7", 5));

    [Fact]
    public void An_SRIOV_VF_goes_to_the_relay_of_its_VF_index_as_its_PCI_address()
    {
        Assert.Equal(new ResolvedPort(3, "0000:01:10.6"), Resolve("enp1s0f0v3"));
        Assert.Equal(new ResolvedPort(12, "0000:01:1a.2"), Resolve("enp1s0f0v12"));
    }

    [Fact]
    public void A_given_relay_beats_the_VF_index_but_the_device_is_still_the_PCI_function() =>
        Assert.Equal(new ResolvedPort(9, "0000:01:10.6"), Resolve("enp1s0f0v3", 9));

    [Fact]
    public void An_NFP_representor_goes_by_its_bus_info_as_upstream_does()
    {
        _busInfo["eth4"] = "NFP 0 VF0.7 0000:04:08.7";
        _busInfo["enp1s0f0v3"] = "NFP 0 VF1.2 0000:04:08.2";
        Assert.Equal(new ResolvedPort(7, "0000:04:08.7"), Resolve("eth4"));
        Assert.Equal(new ResolvedPort(2, "0000:04:08.2"), Resolve("enp1s0f0v3"));
    }

    [Theory]
    [InlineData("veth7")]       // virtual: no VF index
    [InlineData("enp1s0f0")]    // a PF is not a VF
    [InlineData("nosuch0")]     // no such netdev
    [InlineData("../../etc")]   // not a netdev name
    public void Without_a_given_relay_a_netdev_that_is_no_VF_names_none(string netdev)
    {
        Assert.Null(Resolver.Resolve(new PortIntent(netdev), out string problem));
        Assert.Contains(netdev, problem);
    }

    [Theory]
    [InlineData("NFP 0 VF0.5 0000:03:08.5", 5, "0000:03:08.5")]
    [InlineData("NFP 0 VF12.63 0000:83:0f.7", 63, "0000:83:0f.7")]
    public void NFP_bus_info_is_parsed(string bus, int vf, string pci)
    {
        Assert.True(NfpBusInfo.TryParse(bus, out int gotVf, out string gotPci));
        Assert.Equal((vf, pci), (gotVf, gotPci));
    }

    [Theory]
    [InlineData("0000:03:08.5")]
    [InlineData("tap")]
    [InlineData("NFP 0 PF0 0000:03:00.0")]
    [InlineData("")]
    public void Other_bus_info_is_not_NFP(string bus) => Assert.False(NfpBusInfo.TryParse(bus, out _, out _));

    [Fact]
    public void The_loopback_device_has_real_ethtool_driver_info_without_bus_info()
    {
        // ETHTOOL_GDRVINFO on a real netdev: lo answers with an empty bus-info; no such netdev → null.
        Assert.Equal("", EthtoolBusInfo.Read("lo") ?? "");
        Assert.Null(EthtoolBusInfo.Read("vfwd-nosuch0"));
    }

    public void Dispose() => _sysfs.Dispose();
}
