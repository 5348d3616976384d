namespace VirtioForwarder.Ports;

/// <summary>
/// How a PCI or netdev port is driven (<c>--port-driver</c>): AF_XDP, AF_PACKET, or
/// <see cref="Auto"/>, which tries AF_XDP and falls back to AF_PACKET.
/// </summary>
public enum PortDriver { Auto, Xdp, Packet }
