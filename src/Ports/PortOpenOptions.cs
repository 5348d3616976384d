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
}
