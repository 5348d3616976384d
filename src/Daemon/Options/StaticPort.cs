using VirtioForwarder.Ports;
using VirtioForwarder.Ports.Netdev;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// A <c>-P &lt;spec&gt;=&lt;virtio_id&gt;</c> entry: a port attached to a relay at startup. The spec
/// is a PCI address that must exist under sysfs (upstream's only form, <c>dddd:bb:ss.f</c>; we also
/// take lspci's <c>bb:ss.f</c> and either case), or one of our own port specs (<c>null</c>,
/// <c>null:&lt;size&gt;</c>, <c>tap:&lt;ifname&gt;</c>, <c>netdev:&lt;ifname&gt;</c>), which are kept as
/// written for the ports layer to validate.
/// </summary>
public sealed record StaticPort(string Spec, int RelayId)
{
    private static readonly string[] OurKinds = ["null", "null:", "tap:", "netdev:"];

    /// <summary>True for a PCI address; false for our port specs.</summary>
    public bool IsPciAddress => ParsePci(Spec) is not null;

    /// <summary>
    /// Parses one <c>-P</c> value, splitting on the last '='. A PCI address must name a directory
    /// <c>&lt;sysfsRoot&gt;/bus/pci/devices/&lt;address&gt;</c>. The id's range depends on
    /// <c>--max-relays</c> and is checked once all options are known.
    /// </summary>
    public static StaticPort Parse(string value, string sysfsRoot)
    {
        int equals = value.LastIndexOf('=');
        if (equals <= 0)
            throw new CommandLineException(
                $"Invalid static port entry '{value}', format is <PCI>=<virtio_id> (or null, null:<size>[/<queues>], tap:<ifname>, netdev:<ifname> instead of <PCI>)");
        string spec = value[..equals];
        int relayId = DecimalArgument.Parse(value[(equals + 1)..], 0, int.MaxValue, "virtio id");
        if (!IsOurPortSpec(spec) && !PciDeviceExists(spec, sysfsRoot))
            throw new CommandLineException($"Invalid PCI device '{spec}'");
        return new StaticPort(spec, relayId);
    }

    public override string ToString() => $"{Spec}={RelayId}";

    private static bool IsOurPortSpec(string spec) =>
        OurKinds.Any(kind => kind.EndsWith(':') ? spec.StartsWith(kind, StringComparison.Ordinal) : spec == kind);

    // The address is parsed first, which keeps "..", "." and other path tricks from reaching the file system.
    private static bool PciDeviceExists(string spec, string sysfsRoot) =>
        ParsePci(spec) is { } pci && NetdevLocator.FindPciDevice(pci, sysfsRoot) is not null;

    private static PortSpec? ParsePci(string spec)
    {
        try { return PortSpec.Parse(spec) is { Kind: PortKind.Pci } pci ? pci : null; }
        catch (FormatException) { return null; }
    }
}
