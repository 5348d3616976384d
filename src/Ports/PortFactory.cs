namespace VirtioForwarder.Ports;

/// <summary>Opens the port a spec names.</summary>
public static class PortFactory
{
    /// <summary>Buffer size of each frame: room for a 2100-byte MTU (upstream's default) plus headers.</summary>
    public const int DefaultFrameCapacity = 2304;

    // A buffer holds at least an Ethernet header; the upper bound is far above any frame a port
    // carries (a tap's 64 KiB MTU) and keeps a pool's block size far from overflowing.
    private const int MinFrameCapacity = PortSpec.MinSourceFrameSize, MaxFrameCapacity = 1 << 17;

    /// <summary>
    /// Opens the port; every frame buffer it lends holds <paramref name="frameCapacity"/> bytes.
    /// Throws <see cref="ArgumentException"/> for a spec or capacity that cannot work, and
    /// <see cref="Platform.SystemCallException"/> when the kernel refuses (a tap that cannot be created).
    /// </summary>
    public static IPort Open(PortSpec spec, int frameCapacity = DefaultFrameCapacity)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfLessThan(frameCapacity, MinFrameCapacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(frameCapacity, MaxFrameCapacity);
        return spec.Kind switch
        {
            PortKind.Null => new NullPort(spec, frameCapacity),
            PortKind.Tap => TapPort.Open(spec, frameCapacity),
            _ => throw new ArgumentException(PortSpec.Describe(spec.Text, $"kind {spec.Kind} cannot be opened"), nameof(spec)),
        };
    }
}
