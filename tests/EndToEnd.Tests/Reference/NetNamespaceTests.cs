using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Reference;

/// <summary>Proves the namespace helpers with the kernel alone: two test namespaces joined by a veth pair.</summary>
public sealed class NetNamespaceTests
{
    [Fact]
    public void InterfaceMovedInFromTheRootNamespaceCarriesPings()
    {
        using var host = NetNamespace.Create();
        using var peer = NetNamespace.Create();
        // The pair is born with one end already in `peer`, so deleting that namespace removes it
        // even if moving the other end fails: nothing is left behind in the root namespace.
        var rootEnd = UniqueName.New();
        HostCommand.RunChecked(new CommandLine("ip", "link", "add", rootEnd, "type", "veth", "peer", "name", "veth1", "netns", peer.Name));
        host.MoveIn(rootEnd);
        host.AddAddress(rootEnd, TestAddresses.HostCidr);
        host.SetUp(rootEnd);
        peer.AddAddress("veth1", TestAddresses.GuestCidr);
        peer.SetUp("veth1");

        var ping = host.Ping(TestAddresses.GuestIp);

        Assert.True(ping.Succeeded, ping.ToString());
        Assert.True(peer.ReadCounters("veth1").RxPackets >= 3, peer.ReadCounters("veth1").ToString());
        Assert.Throws<ArgumentException>(() => host.AddAddress(rootEnd, "203.0.113.1/24"));
    }
}
