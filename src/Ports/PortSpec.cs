using System.Globalization;

namespace VirtioForwarder.Ports;

/// <summary>The kinds of port a relay can join to a VM.</summary>
/// <remarks>PCI-address and netdev ports (a later issue) will join this list.</remarks>
public enum PortKind { Null, Tap }

/// <summary>
/// A parsed port spec, the part of <c>-P&lt;spec&gt;=&lt;id&gt;</c> before '=':
/// <c>null</c> (a sink), <c>null:&lt;size&gt;</c> (a sink that also sources frames of exactly size bytes),
/// <c>tap:&lt;ifname&gt;</c> (a kernel TAP device).
/// </summary>
public sealed partial record PortSpec(PortKind Kind, string Text, int SourceFrameSize = 0, string InterfaceName = "")
{
    private const string Forms = "null, null:<size> or tap:<ifname>";

    /// <summary>Parses a spec; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static PortSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int colon = text.IndexOf(':');
        string kind = colon < 0 ? text : text[..colon];
        string? argument = colon < 0 ? null : text[(colon + 1)..];
        // PCI addresses (dddd:bb:ss.f) and netdev names will be recognised here, once those ports exist.
        return kind switch
        {
            "null" when argument is null => new PortSpec(PortKind.Null, text),
            "null" => new PortSpec(PortKind.Null, text, SourceFrameSize: ParseSourceFrameSize(text, argument)),
            "tap" => new PortSpec(PortKind.Tap, text, InterfaceName: ParseInterfaceName(text, argument ?? "")),
            _ => throw Invalid(text, $"unknown kind; expected {Forms}"),
        };
    }

    private static int ParseSourceFrameSize(string text, string size)
    {
        if (size.Length == 0) throw Invalid(text, "missing frame size; expected null:<size>");
        if (size.AsSpan().ContainsAnyExceptInRange('0', '9'))
            throw Invalid(text, $"frame size '{size}' is not a decimal integer");
        // All digits, so parsing fails only when the number overflows: out of range too.
        if (!int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || !IsSourceFrameSize(value))
            throw Invalid(text, SourceFrameSizeOutOfRange(size));
        return value;
    }

    private static string ParseInterfaceName(string text, string name) =>
        InterfaceNameProblem(name) is { } problem ? throw Invalid(text, problem) : name;

    private static FormatException Invalid(string text, string problem) => new(Describe(text, problem));
}
