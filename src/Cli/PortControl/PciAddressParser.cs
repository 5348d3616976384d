using System.Globalization;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.PortControl;

/// <summary>
/// <c>--pci-addr</c> values as upstream's port control client reads them (docs/control-contract.md
/// §7.1): <c>dddd:bb:ss.f</c> or <c>bb:ss.f</c>, split on ':' and '.', every part hex, domain 0
/// for the short form. Like upstream, the parts are not range-checked against PCI's field widths
/// (the daemon formats whatever it gets), only against the wire's uint32.
/// </summary>
internal static class PciAddressParser
{
    public static PortControlRequest.Types.PciAddress Parse(string text)
    {
        string[] parts = text.Split(':', '.');
        if (parts.Length is not (3 or 4) || !parts.All(IsHex))
            throw new CliException($"badly formatted PCI address '{text}': expected dddd:bb:ss.f or bb:ss.f in hex");
        uint[] values = parts.Select(part => ParseHex(part, text)).ToArray();
        int skip = values.Length == 4 ? 1 : 0;
        return new PortControlRequest.Types.PciAddress
        {
            Domain = skip == 1 ? values[0] : 0,
            Bus = values[skip],
            Slot = values[skip + 1],
            Function = values[skip + 2],
        };
    }

    private static bool IsHex(string part) => part.Length > 0 && part.All(char.IsAsciiHexDigit);

    private static uint ParseHex(string part, string text) =>
        uint.TryParse(part, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint value)
            ? value
            : throw new CliException($"PCI address '{text}': '{part}' does not fit in 32 bits");
}
