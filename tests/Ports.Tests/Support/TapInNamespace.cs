using System.Net;
using System.Net.NetworkInformation;

namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>
/// A TapPort whose interface has been moved into a namespace of the test's own and given
/// 198.18.0.1/24 there; the test plays the host at 198.18.0.2 through the port. Dispose closes
/// the port (removing the tap) and deletes the namespace.
/// </summary>
public sealed class TapInNamespace : IKernelPeerLab
{
    public static readonly IPAddress KernelAddress = IKernelPeerLab.KernelAddress;
    public static readonly IPAddress PeerAddress = IKernelPeerLab.PeerAddress;
    public static readonly byte[] PeerMac = IKernelPeerLab.PeerMac;

    private readonly PortExchange _exchange;

    private TapInNamespace(TestNamespace ns, TapPort port, byte[] kernelMac)
    {
        Namespace = ns;
        Port = port;
        KernelMac = kernelMac;
        _exchange = new PortExchange(port);
    }

    public TestNamespace Namespace { get; }
    public TapPort Port { get; }
    public string Interface => Port.InterfaceName;

    IPort IKernelPeerLab.Port => Port;

    string IKernelPeerLab.KernelInterface => Interface;

    /// <summary>The MAC address of the namespace's end of the tap.</summary>
    public byte[] KernelMac { get; }

    public static TapInNamespace Create()
    {
        var ns = TestNamespace.Create();
        TapPort? port = null;
        try
        {
            port = (TapPort)PortFactory.Open(PortSpec.Parse("tap:" + UniqueName.New("vfwdp")));
            HostProcess.RunChecked("ip", "link", "set", port.InterfaceName, "netns", ns.Name);
            ns.Ip("addr", "add", KernelAddress + "/24", "dev", port.InterfaceName);
            ns.Ip("link", "set", port.InterfaceName, "up");
            var mac = PhysicalAddress.Parse(ns.ReadNetSysfs(port.InterfaceName, "address")).GetAddressBytes();
            return new TapInNamespace(ns, port, mac);
        }
        catch
        {
            port?.Dispose();
            ns.Dispose();
            throw;
        }
    }

    /// <summary>Receives, waiting on the port's readiness fd, until a frame matches; null after the timeout.</summary>
    public byte[]? WaitForFrame(Func<byte[], bool> wanted, TimeSpan timeout) => _exchange.WaitForFrame(wanted, timeout);

    /// <summary>Sends one frame through the port; returns what Transmit returned.</summary>
    public int Send(byte[] frame) => _exchange.Send(frame);

    public void Dispose()
    {
        Port.Dispose();
        Namespace.Dispose();
    }
}
