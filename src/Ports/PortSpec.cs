using System.Globalization;
using System.Text.RegularExpressions;

namespace VirtioForwarder.Ports;

/// <summary>The kinds of port a relay can join to a VM.</summary>
public enum PortKind { Null, Tap, Pci, Netdev }

/// <summary>
/// A parsed port spec, the part of <c>-P&lt;spec&gt;=&lt;id&gt;</c> before '=':
/// <c>null</c> (a sink), <c>null:&lt;size&gt;</c> (a sink that also sources frames of exactly size bytes),
/// <c>null:&lt;size&gt;/&lt;queues&gt;</c> (the same with that many queues, as a multi-queue NIC has),
/// <c>tap:&lt;ifname&gt;</c> (a kernel TAP device), a PCI address <c>dddd:bb:ss.f</c> or <c>bb:ss.f</c>
/// (domain 0000; hex digits in either case) naming an SR-IOV VF or other network function, kept in
/// <see cref="PciAddress"/> as sysfs spells it, and <c>netdev:&lt;ifname&gt;</c> (a kernel netdev by name).
/// PCI and netdev ports are opened by <see cref="PortFactory"/> with AF_XDP or AF_PACKET.
/// </summary>
public sealed partial record PortSpec(PortKind Kind, string Text, int SourceFrameSize = 0, string InterfaceName = "", string PciAddress = "", int Queues = 1)
{
    private const string Forms = "null, null:<size>[/<queues>], tap:<ifname>, netdev:<ifname> or a PCI address (dddd:bb:ss.f)";

    /// <summary>Parses a spec; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static PortSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (PciAddressForm().Match(text) is { Success: true } pci) return new PortSpec(PortKind.Pci, text, PciAddress: Normalize(pci));
        int colon = text.IndexOf(':');
        string kind = colon < 0 ? text : text[..colon];
        string? argument = colon < 0 ? null : text[(colon + 1)..];
        return kind switch
        {
            "null" when argument is null => new PortSpec(PortKind.Null, text),
            "null" => ParseSource(text, argument),
            "tap" => new PortSpec(PortKind.Tap, text, InterfaceName: ParseInterfaceName(text, argument ?? "")),
            "netdev" => new PortSpec(PortKind.Netdev, text, InterfaceName: ParseInterfaceName(text, argument ?? "")),
            _ => throw Invalid(text, $"unknown kind; expected {Forms}"),
        };
    }

    /// <summary><c>null:&lt;size&gt;</c> or <c>null:&lt;size&gt;/&lt;queues&gt;</c>.</summary>
    private static PortSpec ParseSource(string text, string argument)
    {
        int slash = argument.IndexOf('/');
        string size = slash < 0 ? argument : argument[..slash];
        if (size.Length == 0) throw Invalid(text, "missing frame size; expected null:<size>");
        int frameSize = ParseNumber(text, "frame size", size, IsSourceFrameSize, SourceFrameSizeOutOfRange);
        if (slash < 0) return new PortSpec(PortKind.Null, text, SourceFrameSize: frameSize);
        int queues = ParseNumber(text, "queue count", argument[(slash + 1)..], IsQueueCount, QueueCountOutOfRange);
        return new PortSpec(PortKind.Null, text, SourceFrameSize: frameSize, Queues: queues);
    }

    private static int ParseNumber(string text, string what, string digits, Func<int, bool> inRange, Func<string, string> outOfRange)
    {
        if (digits.Length == 0 || digits.AsSpan().ContainsAnyExceptInRange('0', '9'))
            throw Invalid(text, $"{what} '{digits}' is not a decimal integer");
        // All digits, so parsing fails only when the number overflows: out of range too.
        if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || !inRange(value))
            throw Invalid(text, outOfRange(digits));
        return value;
    }

    private static string ParseInterfaceName(string text, string name) =>
        InterfaceNameProblem(name) is { } problem ? throw Invalid(text, problem) : name;

    /// <summary>dddd:bb:ss.f in lower case, as sysfs names the device; the domain defaults to 0000.</summary>
    private static string Normalize(Match pci)
    {
        string domain = pci.Groups["domain"].Success ? pci.Groups["domain"].Value : "0000";
        return $"{domain}:{pci.Groups["bus"].Value}:{pci.Groups["slot"].Value}.{pci.Groups["function"].Value}".ToLowerInvariant();
    }

    // Slot 00..1f and function 0..7 as PCI allows; upstream's -P takes the full form only, the short one is lspci's.
    [GeneratedRegex("^(?:(?<domain>[0-9a-f]{4}):)?(?<bus>[0-9a-f]{2}):(?<slot>[01][0-9a-f])\\.(?<function>[0-7])\\z", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PciAddressForm();

    private static FormatException Invalid(string text, string problem) => new(Describe(text, problem));
}
