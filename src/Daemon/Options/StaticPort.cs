using System.Text.RegularExpressions;

namespace VirtioForwarder.Daemon.Options;

/// <summary>
/// A <c>-P &lt;spec&gt;=&lt;virtio_id&gt;</c> entry: a port attached to a relay at startup. The spec
/// is a PCI address that must exist under sysfs (upstream's only form), or one of our own port
/// specs (<c>null</c>, <c>null:&lt;size&gt;</c>, <c>tap:&lt;ifname&gt;</c>), which are kept as
/// written for the ports layer to validate.
/// </summary>
public sealed partial record StaticPort(string Spec, int RelayId)
{
    /// <summary>True for <c>dddd:bb:ss.f</c>; false for our port specs.</summary>
    public bool IsPciAddress => PciAddress().IsMatch(Spec);

    /// <summary>
    /// Parses one <c>-P</c> value, splitting on the last '='. A PCI address must name a directory
    /// <c>&lt;sysfsRoot&gt;/bus/pci/devices/&lt;spec&gt;</c>. The id's range depends on
    /// <c>--max-relays</c> and is checked once all options are known.
    /// </summary>
    public static StaticPort Parse(string value, string sysfsRoot)
    {
        int equals = value.LastIndexOf('=');
        if (equals <= 0)
            throw new CommandLineException(
                $"Invalid static port entry '{value}', format is <PCI>=<virtio_id> (or null, null:<size>, tap:<ifname> instead of <PCI>)");
        string spec = value[..equals];
        int relayId = DecimalArgument.Parse(value[(equals + 1)..], 0, int.MaxValue, "virtio id");
        if (!IsOurPortSpec(spec) && !PciDeviceExists(spec, sysfsRoot))
            throw new CommandLineException($"Invalid PCI device '{spec}'");
        return new StaticPort(spec, relayId);
    }

    public override string ToString() => $"{Spec}={RelayId}";

    private static bool IsOurPortSpec(string spec) =>
        spec == "null" || spec.StartsWith("null:", StringComparison.Ordinal) || spec.StartsWith("tap:", StringComparison.Ordinal);

    // The format check keeps "..", "." and other path tricks from passing the directory test.
    private static bool PciDeviceExists(string spec, string sysfsRoot) =>
        PciAddress().IsMatch(spec) && Directory.Exists(Path.Combine(sysfsRoot, "bus", "pci", "devices", spec));

    [GeneratedRegex("^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]$")]
    private static partial Regex PciAddress();
}
