using System.Net.NetworkInformation;
using VirtioForwarder.Ports.Tests.Support;
using VirtioForwarder.Ports.Xdp;

namespace VirtioForwarder.Ports.Tests.Xdp.Support;

/// <summary>
/// A veth pair inside a namespace of the test's own: the port side (<see cref="PortInterface"/>)
/// for an XdpPort opened inside the namespace, and the peer side with 198.18.0.1/24 and a packet
/// socket for exact frames. IPv6 is off so the kernel sends nothing unasked. Dispose deletes the
/// namespace with both ends.
/// </summary>
public sealed class VethInNamespace : IDisposable
{
    public const string PortInterface = "vfwd-port", PeerInterface = "vfwd-peer";

    private VethInNamespace(TestNamespace ns) => Namespace = ns;

    public TestNamespace Namespace { get; }
    public byte[] PortMac { get; private set; } = [];
    public byte[] PeerMac { get; private set; } = [];

    /// <summary>Makes the pair, each end with <paramref name="queues"/> RX and TX queues.</summary>
    public static VethInNamespace Create(int queues = 1)
    {
        var veth = new VethInNamespace(TestNamespace.Create());
        try
        {
            var ns = veth.Namespace;
            HostProcess.RunChecked("ip", "netns", "exec", ns.Name, "sysctl", "-q", "-w",
                "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            string count = queues.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ns.Ip("link", "add", PortInterface, "numtxqueues", count, "numrxqueues", count,
                "type", "veth", "peer", "name", PeerInterface, "numtxqueues", count, "numrxqueues", count);
            ns.Ip("addr", "add", "198.18.0.1/24", "dev", PeerInterface);
            ns.Ip("link", "set", PortInterface, "up");
            ns.Ip("link", "set", PeerInterface, "up");
            veth.PortMac = PhysicalAddress.Parse(ns.ReadNetSysfs(PortInterface, "address")).GetAddressBytes();
            veth.PeerMac = PhysicalAddress.Parse(ns.ReadNetSysfs(PeerInterface, "address")).GetAddressBytes();
            return veth;
        }
        catch
        {
            veth.Dispose();
            throw;
        }
    }

    /// <summary>Opens an XdpPort on the port side, from inside the namespace.</summary>
    public XdpPort OpenPort(XdpPortOptions? options = null, string interfaceName = PortInterface) =>
        InNamespace.Run(Namespace.Name, () => XdpPort.Open("xdp:" + interfaceName, interfaceName, options ?? new XdpPortOptions(), PortFactory.DefaultFrameCapacity));

    public PeerPacketSocket OpenPeer() => PeerPacketSocket.Open(Namespace.Name, PeerInterface);

    /// <summary>What <c>ip -d link show</c> says about an interface (its xdp line names the attached program).</summary>
    public string LinkDetails(string interfaceName = PortInterface) => Namespace.Ip("-d", "link", "show", "dev", interfaceName).Output;

    public void Dispose() => Namespace.Dispose();
}
