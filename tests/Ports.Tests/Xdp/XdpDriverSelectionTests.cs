using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Packet;
using VirtioForwarder.Ports.Tests.Xdp.Support;
using VirtioForwarder.Ports.Xdp;

namespace VirtioForwarder.Ports.Tests.Xdp;

/// <summary>How --port-driver picks AF_XDP for a netdev port, and how auto falls back to AF_PACKET.</summary>
[Collection(XdpTests.Collection)]
public sealed class XdpDriverSelectionTests
{
    private static readonly PortSpec Spec = PortSpec.Parse("netdev:" + VethInNamespace.PortInterface);

    [Theory]
    [InlineData(PortDriver.Auto)]
    [InlineData(PortDriver.Xdp)]
    public void AutoAndXdpOpenAnXdpPort(PortDriver driver)
    {
        using var veth = VethInNamespace.Create();
        using var port = Open(veth, driver);
        Assert.IsType<XdpPort>(port);
    }

    [Fact]
    public void AutoFallsBackToAfPacketWhenAnotherXdpProgramHoldsTheInterface()
    {
        using var veth = VethInNamespace.Create();
        using var holder = veth.OpenPort();
        using var port = Open(veth, PortDriver.Auto);
        Assert.IsType<PacketPort>(port);
    }

    [Fact]
    public void XdpAskedForButUnavailableIsNotSupported()
    {
        using var veth = VethInNamespace.Create();
        using var holder = veth.OpenPort();
        var failure = Assert.Throws<NotSupportedException>(() => Open(veth, PortDriver.Xdp));
        Assert.Contains("BPF_LINK_CREATE", failure.Message);
    }

    private static IPort Open(VethInNamespace veth, PortDriver driver) =>
        InNamespace.Run(veth.Namespace.Name, () => PortFactory.Open(Spec, new PortOpenOptions { Driver = driver }));
}
