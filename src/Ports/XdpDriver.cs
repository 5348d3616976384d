using VirtioForwarder.Ports.Netdev;

namespace VirtioForwarder.Ports;

/// <summary>
/// Where <see cref="PortFactory"/> asks for an AF_XDP port: the one place the AF_XDP driver plugs in.
/// </summary>
internal static class XdpDriver
{
    /// <summary>
    /// Opens an AF_XDP port on the netdev, or returns false with the reason it cannot (for
    /// <see cref="PortDriver.Auto"/> to log before it falls back to AF_PACKET).
    /// </summary>
    public static bool TryOpen(PortSpec spec, NetdevLocation netdev, int frameCapacity, out IPort? port, out string whyNot)
    {
        port = null;
        whyNot = "this build has no AF_XDP driver";
        return false;
    }
}
