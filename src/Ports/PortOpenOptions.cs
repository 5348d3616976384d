using VirtioForwarder.Ports.Netdev;

namespace VirtioForwarder.Ports;

/// <summary>How <see cref="PortFactory"/> opens ports; the defaults are the daemon's.</summary>
public sealed record PortOpenOptions
{
    /// <summary>The driver of PCI and netdev ports; null and tap ports have only their own.</summary>
    public PortDriver Driver { get; init; } = PortDriver.Auto;

    /// <summary>Where PCI addresses are looked up (<see cref="NetdevLocator"/>).</summary>
    public string SysfsRoot { get; init; } = NetdevLocator.SysfsRootFromEnvironment();

    /// <summary>Bytes each frame buffer a port lends can hold.</summary>
    public int FrameCapacity { get; init; } = PortFactory.DefaultFrameCapacity;

    /// <summary>
    /// Device queues an AF_XDP port opens a socket on (<see cref="IPort.Queues"/>), from queue 0;
    /// frames arriving on a queue beyond them go to the kernel's stack. An AF_PACKET port opens as
    /// many sockets, among which the kernel spreads all frames. A bond's queue i is its members'
    /// queue i (<see cref="Bond.BondPort"/>).
    /// </summary>
    public int MaxQueues { get; init; } = int.MaxValue;

    /// <summary>
    /// Frames the kernel may take per busy poll of an AF_XDP socket (SO_PREFER_BUSY_POLL with
    /// SO_BUSY_POLL_BUDGET), so the worker's receive and send calls drive the device instead of
    /// its interrupts; 0 leaves busy polling off. Worth it only for a worker that spins anyway.
    /// </summary>
    public int BusyPollBudget { get; init; }
}
