namespace VirtioForwarder.Ports;

/// <summary>The kinds of port a relay can join to a VM.</summary>
public enum PortKind { Null, Tap }

/// <summary>
/// A parsed port spec, the part of <c>-P&lt;spec&gt;=&lt;id&gt;</c> before '=':
/// <c>null</c> (a sink), <c>null:&lt;size&gt;</c> (a sink that also sources frames of exactly size bytes),
/// <c>tap:&lt;ifname&gt;</c> (a kernel TAP device).
/// </summary>
public sealed record PortSpec(PortKind Kind, string Text, int SourceFrameSize = 0, string InterfaceName = "")
{
    /// <summary>Parses a spec; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static PortSpec Parse(string text) => throw new NotImplementedException();
}

/// <summary>Opens the port a spec names.</summary>
public static class PortFactory
{
    /// <summary>Buffer size of each frame: room for a 2100-byte MTU (upstream's default) plus headers.</summary>
    public const int DefaultFrameCapacity = 2304;

    public static IPort Open(PortSpec spec, int frameCapacity = DefaultFrameCapacity) => throw new NotImplementedException();
}
