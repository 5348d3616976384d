namespace VirtioForwarder.Control.LegacyPorts;

/// <summary>Where a netdev goes: the relay, and the device string the relay stores (DeviceRequest.Key).</summary>
public sealed record ResolvedPort(int Relay, string DeviceKey);

/// <summary>
/// Upstream's OVSDB and file-IPC mapping, generalised beyond NFP VF representors (contract §8.4):
/// <list type="number">
/// <item>the relay is the one the requester named (<see cref="PortIntent.Relay"/>), else the VF
/// number of an NFP bus-info (upstream's only way), else the netdev's SR-IOV VF index;</item>
/// <item>the device is the NFP bus-info's PCI address, else the netdev's own PCI function, else
/// <c>netdev:&lt;name&gt;</c> (veth, tap, bond, ...).</item>
/// </list>
/// </summary>
public sealed class NetdevResolver(Func<string, string?> busInfo, SysfsNetdev sysfs)
{
    public static NetdevResolver ForHost() => new(EthtoolBusInfo.Read, SysfsNetdev.FromEnvironment());

    /// <summary>The port, or null with <paramref name="problem"/> saying why none can be told.</summary>
    public ResolvedPort? Resolve(PortIntent intent, out string problem)
    {
        problem = "";
        int nfpVf = -1;
        string nfpPci = "";
        bool isNfp = busInfo(intent.Netdev) is { } bus && NfpBusInfo.TryParse(bus, out nfpVf, out nfpPci);
        int? relay = intent.Relay ?? (isNfp ? nfpVf : sysfs.SriovVfIndex(intent.Netdev));
        if (relay is null)
        {
            problem = $"no relay for netdev '{intent.Netdev}': none was given, it has no NFP VF bus-info " +
                      "and it is not an SR-IOV VF";
            return null;
        }
        string key = isNfp ? nfpPci : sysfs.PciAddress(intent.Netdev) ?? NetdevKey(intent.Netdev);
        return new ResolvedPort(relay.Value, key);
    }

    /// <summary>The port spec of a kernel netdev (Ports' <c>netdev:&lt;ifname&gt;</c>).</summary>
    public static string NetdevKey(string netdev) => "netdev:" + netdev;
}
