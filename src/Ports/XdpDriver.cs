using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Netdev;
using VirtioForwarder.Ports.Xdp;

namespace VirtioForwarder.Ports;

/// <summary>
/// Where <see cref="PortFactory"/> asks for an AF_XDP port: the one place the AF_XDP driver plugs in.
/// </summary>
internal static class XdpDriver
{
    /// <summary>
    /// Opens an AF_XDP port with a socket on each of the netdev's queues (at most
    /// <see cref="PortOpenOptions.MaxQueues"/>), or returns false with the reason it cannot
    /// (for <see cref="PortDriver.Auto"/> to log before it falls back to AF_PACKET).
    /// </summary>
    public static bool TryOpen(PortSpec spec, NetdevLocation netdev, PortOpenOptions options, out IPort? port, out string whyNot)
    {
        try
        {
            port = XdpPort.Open(spec.Text, netdev.InterfaceName, new XdpPortOptions
                {
                    QueueCount = Math.Clamp(NetDeviceIoctl.QueuePairs(netdev.InterfaceName), 1, Math.Min(options.MaxQueues, XdpAttachment.MaxQueues)),
                    BusyPollBudget = options.BusyPollBudget,
                },
                options.FrameCapacity, netdev.NumaNode);
            whyNot = "";
            return true;
        }
        catch (Exception e) when (e is SystemCallException or NotSupportedException)
        {
            port = null;
            whyNot = e.Message;
            return false;
        }
    }
}
