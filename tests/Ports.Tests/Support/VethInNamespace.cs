using System.Net;
using System.Net.NetworkInformation;
using VirtioForwarder.Ports.Packet;

namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>
/// A veth pair: the port's end in this (root) namespace with no address and no IPv6 link-local
/// chatter, the far end in a namespace of the test's own with 198.18.0.1/24, where the test plays
/// the host at 198.18.0.2 through a <see cref="PacketPort"/>. Dispose closes the port and deletes
/// the namespace, which takes both ends of the pair with it.
/// </summary>
public sealed class VethInNamespace : IKernelPeerLab
{
    public static readonly IPAddress KernelAddress = IKernelPeerLab.KernelAddress;
    public static readonly IPAddress PeerAddress = IKernelPeerLab.PeerAddress;
    public static readonly byte[] PeerMac = IKernelPeerLab.PeerMac;

    private readonly PortExchange _exchange;

    private VethInNamespace(TestNamespace ns, string local, string far, byte[] kernelMac, PacketPort port)
    {
        Namespace = ns;
        Interface = local;
        FarInterface = far;
        KernelMac = kernelMac;
        Port = port;
        _exchange = new PortExchange(port);
    }

    public TestNamespace Namespace { get; }

    /// <summary>The port's end, in this namespace.</summary>
    public string Interface { get; }

    /// <summary>The namespace's end, 198.18.0.1/24.</summary>
    public string FarInterface { get; }

    public byte[] KernelMac { get; }

    public PacketPort Port { get; }

    IPort IKernelPeerLab.Port => Port;

    string IKernelPeerLab.KernelInterface => FarInterface;

    /// <summary>Makes the pair and opens the port on it with <paramref name="open"/> (default: <c>netdev:&lt;ifname&gt;</c>, AF_PACKET).</summary>
    public static VethInNamespace Create(Func<string, IPort>? open = null, int frameCapacity = PortFactory.DefaultFrameCapacity)
    {
        var ns = TestNamespace.Create();
        string suffix = UniqueName.New("");
        string local = "vfwdq" + suffix, far = "vfwdr" + suffix;
        IPort? port = null;
        try
        {
            HostProcess.RunChecked("ip", "link", "add", local, "type", "veth", "peer", "name", far, "netns", ns.Name);
            // No link-local address: the root namespace's end sends nothing of its own.
            HostProcess.RunChecked("ip", "link", "set", local, "addrgenmode", "none");
            ns.Ip("addr", "add", KernelAddress + "/24", "dev", far);
            ns.Ip("link", "set", far, "up");
            var mac = PhysicalAddress.Parse(ns.ReadNetSysfs(far, "address")).GetAddressBytes();
            port = open is null
                ? PortFactory.Open(PortSpec.Parse("netdev:" + local), new PortOpenOptions { Driver = PortDriver.Packet, FrameCapacity = frameCapacity })
                : open(local);
            var lab = new VethInNamespace(ns, local, far, mac, Assert.IsType<PacketPort>(port));
            // The kernel reports carrier (IFF_RUNNING) a moment after both ends are up.
            lab.WaitForLink(true);
            return lab;
        }
        catch
        {
            port?.Dispose();
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Polls the port's LinkUp until it reads <paramref name="up"/>; throws after 5 s.</summary>
    public void WaitForLink(bool up)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (Port.LinkUp != up)
        {
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"the port's link did not go {(up ? "up" : "down")} within 5 s");
            Thread.Sleep(20);
        }
    }

    /// <summary>Receives, waiting on the port's readiness fd, until a frame matches; null after the timeout.</summary>
    public byte[]? WaitForFrame(Func<byte[], bool> wanted, TimeSpan timeout) => _exchange.WaitForFrame(wanted, timeout);

    /// <summary>Sends one frame through the port; returns what Transmit returned.</summary>
    public int Send(byte[] frame) => _exchange.Send(frame);

    /// <summary>Tells the namespace's kernel where 198.18.0.2 is, so it sends IP without asking by ARP first.</summary>
    public void AddPeerNeighbour() =>
        Namespace.Ip("neigh", "replace", PeerAddress.ToString(), "lladdr", "02:00:00:00:00:02", "dev", FarInterface);

    public void Dispose()
    {
        Port.Dispose();
        Namespace.Dispose();
    }
}
