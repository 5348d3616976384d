namespace VirtioForwarder.Ports.Netdev;

/// <summary>
/// The kernel netdev a PCI or netdev spec names, and the NUMA node of its device (-1 when the
/// kernel does not know it, or the netdev has no PCI device).
/// </summary>
public sealed record NetdevLocation(string InterfaceName, int NumaNode);
