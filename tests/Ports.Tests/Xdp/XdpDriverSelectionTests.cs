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
        Assert.Empty(port.Queues);
    }

    [Fact]
    public void OnADeviceWithTwoQueuesEachQueueGetsASocketOfItsOwn()
    {
        using var veth = VethInNamespace.Create(queues: 2);
        using var port = Open(veth, PortDriver.Xdp);
        Assert.Equal(2, port.Queues.Count);
        Assert.Same(port, port.Queues[0]);
        Assert.NotEqual(port.ReadinessFd, port.Queues[1].ReadinessFd);
        Assert.True(port.Queues[1].LinkUp);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(64, true)]
    public void TheBusyPollBudgetReachesEverySocket(int budget, bool busyPolling)
    {
        using var veth = VethInNamespace.Create(queues: 2);
        using var port = InNamespace.Run(veth.Namespace.Name, () =>
            PortFactory.Open(Spec, new PortOpenOptions { Driver = PortDriver.Xdp, BusyPollBudget = budget }));
        Assert.All(port.Queues, queue => Assert.Equal(busyPolling, Assert.IsType<XdpPort>(queue).BusyPolling));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("-1", -1)]
    public void APortNamedByPciAddressHasItsDevicesNumaNode(string numaFile, int expected)
    {
        using var sysfs = new VirtioForwarder.Ports.Tests.Support.FakeSysfs();
        sysfs.AddPciFunction("0000:05:08.3", [VethInNamespace.PortInterface], numaFile);
        using var veth = VethInNamespace.Create();
        using var port = InNamespace.Run(veth.Namespace.Name, () =>
            PortFactory.Open(PortSpec.Parse("05:08.3"), new PortOpenOptions { Driver = PortDriver.Xdp, SysfsRoot = sysfs.Root }));
        Assert.Equal(expected, Assert.IsType<XdpPort>(port).NumaNode);
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
