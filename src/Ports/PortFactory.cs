using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Netdev;
using VirtioForwarder.Ports.Packet;

namespace VirtioForwarder.Ports;

/// <summary>Opens the port a spec names.</summary>
public static class PortFactory
{
    /// <summary>Buffer size of each frame: room for a 2100-byte MTU (upstream's default) plus headers.</summary>
    public const int DefaultFrameCapacity = 2304;

    // A buffer holds at least an Ethernet header; the upper bound is far above any frame a port
    // carries (a tap's 64 KiB MTU) and keeps a pool's block size far from overflowing.
    private const int MinFrameCapacity = PortSpec.MinSourceFrameSize, MaxFrameCapacity = 1 << 17;

    /// <summary>Opens the port with the default options but <paramref name="frameCapacity"/>.</summary>
    public static IPort Open(PortSpec spec, int frameCapacity = DefaultFrameCapacity) =>
        Open(spec, new PortOpenOptions { FrameCapacity = frameCapacity });

    /// <summary>
    /// Opens the port; every frame buffer it lends holds <see cref="PortOpenOptions.FrameCapacity"/>
    /// bytes. Throws <see cref="ArgumentException"/> for a spec or capacity that cannot work,
    /// <see cref="IOException"/> (<see cref="FileNotFoundException"/> for a missing PCI device) when
    /// the spec names no usable netdev, <see cref="NotSupportedException"/> when the driver asked for
    /// is not available, and <see cref="SystemCallException"/> when the kernel refuses.
    /// </summary>
    public static IPort Open(PortSpec spec, PortOpenOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        int capacity = options.FrameCapacity;
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, MinFrameCapacity, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxFrameCapacity, nameof(options));
        return spec.Kind switch
        {
            PortKind.Null => new NullPort(spec, capacity),
            PortKind.Tap => TapPort.Open(spec, capacity),
            PortKind.Pci or PortKind.Netdev => OpenNetdev(spec, NetdevLocator.Locate(spec, options.SysfsRoot), options),
            _ => throw new ArgumentException(PortSpec.Describe(spec.Text, $"kind {spec.Kind} cannot be opened"), nameof(spec)),
        };
    }

    private static IPort OpenNetdev(PortSpec spec, NetdevLocation netdev, PortOpenOptions options)
    {
        int capacity = options.FrameCapacity;
        switch (options.Driver)
        {
            case PortDriver.Packet:
                return PacketPort.Open(spec, netdev, capacity, options.MaxQueues);
            case PortDriver.Xdp:
                return XdpDriver.TryOpen(spec, netdev, options, out var xdp, out string reason)
                    ? xdp!
                    : throw new NotSupportedException(PortSpec.Describe(spec.Text, $"AF_XDP is not available on {netdev.InterfaceName}: {reason}"));
            default:
                if (XdpDriver.TryOpen(spec, netdev, options, out var port, out string whyNot)) return port!;
                Log.Notice($"port {spec.Text}: AF_XDP is not available on {netdev.InterfaceName} ({whyNot}); using AF_PACKET");
                return PacketPort.Open(spec, netdev, capacity, options.MaxQueues);
        }
    }
}
