using System.Globalization;
using System.Text.RegularExpressions;

namespace VirtioForwarder.Control.LegacyPorts;

/// <summary>
/// Upstream's only netdev mapping (contract §8.4): an NFP VF representor's ethtool bus-info reads
/// <c>NFP 0 VF&lt;x&gt;.&lt;n&gt; &lt;pci&gt;</c>; <c>n</c>, the VF number, is the relay id and
/// <c>pci</c> the VF's address.
/// </summary>
public static partial class NfpBusInfo
{
    [GeneratedRegex(@"^NFP 0 VF\d+\.(\d+) (\S+)")]
    private static partial Regex Pattern();

    public static bool TryParse(string busInfo, out int vf, out string pciAddress)
    {
        var m = Pattern().Match(busInfo);
        if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out vf))
        {
            pciAddress = m.Groups[2].Value;
            return true;
        }
        (vf, pciAddress) = (-1, "");
        return false;
    }
}
