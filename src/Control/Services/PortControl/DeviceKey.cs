using System.Text.RegularExpressions;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Control.Services.PortControl;

/// <summary>The device strings a relay stores and port-control requests name (contract §3.1–3.4).</summary>
internal static partial class DeviceKey
{
    /// <summary>Upstream stores a bond under its name cut to 19 characters (a char[20], §3.2).</summary>
    public const int BondNameLength = 19;

    /// <summary>Upstream's <c>%04X:%02X:%02X.%X</c>: upper-case hex, as every ZeroMQ request is stored (§3.1 step 3).</summary>
    public static string Of(PortControlRequest.Types.PciAddress a) =>
        $"{a.Domain:X4}:{a.Bus:X2}:{a.Slot:X2}.{a.Function:X}";

    public static string OfBond(string name) =>
        name.Length > BondNameLength ? name[..BondNameLength] : name;

    /// <summary>
    /// Upstream compares with strcmp, so a static VF stored in sysfs spelling (lower case) never
    /// matches the upper-case string of a ZeroMQ request (trap §3.4). We deliberately compare two
    /// PCI addresses without regard to case (issue 4); any other device string (bond names, port
    /// specs) must match exactly.
    /// </summary>
    public static bool Same(string? stored, string requested) =>
        stored is not null && (IsPciAddress(stored) && IsPciAddress(requested)
            ? string.Equals(stored, requested, StringComparison.OrdinalIgnoreCase)
            : string.Equals(stored, requested, StringComparison.Ordinal));

    private static bool IsPciAddress(string s) => PciForm().IsMatch(s);

    [GeneratedRegex("^[0-9A-Fa-f]{4,}:[0-9A-Fa-f]{2,}:[0-9A-Fa-f]{2,}\\.[0-9A-Fa-f]+$")]
    private static partial Regex PciForm();
}
