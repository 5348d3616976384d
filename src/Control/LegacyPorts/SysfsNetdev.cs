using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace VirtioForwarder.Control.LegacyPorts;

/// <summary>
/// What sysfs tells about a netdev's device: its PCI address, and its index among its physical
/// function's SR-IOV VFs. The root is <c>/sys</c> unless VIRTIOFWD_SYSFS_ROOT names another (as for
/// <c>-P</c>), so tests can build a tree of links that stands for a card with VFs.
/// </summary>
public sealed partial class SysfsNetdev(string root)
{
    public const string RootVariable = "VIRTIOFWD_SYSFS_ROOT";

    public static SysfsNetdev FromEnvironment() =>
        new(Environment.GetEnvironmentVariable(RootVariable) is { Length: > 0 } r ? r : "/sys");

    [GeneratedRegex(@"^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$")]
    private static partial Regex PciAddressPattern();

    [GeneratedRegex(@"^virtfn(\d+)$")]
    private static partial Regex VirtfnPattern();

    /// <summary>The netdev's PCI function (<c>class/net/&lt;if&gt;/device</c> resolves to a PCI address), or null (veth, tap, ...).</summary>
    public string? PciAddress(string netdev)
    {
        string? device = DeviceDirectory(netdev);
        if (device is null) return null;
        string name = Path.GetFileName(device);
        return PciAddressPattern().IsMatch(name) ? name : null;
    }

    /// <summary>
    /// N when the netdev's device is a VF: its <c>physfn</c> has a <c>virtfnN</c> link resolving back
    /// to the device. Null for anything else.
    /// </summary>
    public int? SriovVfIndex(string netdev)
    {
        string? device = DeviceDirectory(netdev);
        if (device is null) return null;
        string? physfn = RealPath(Path.Combine(device, "physfn"));
        if (physfn is null) return null;
        foreach (var link in Directory.EnumerateFileSystemEntries(physfn, "virtfn*"))
        {
            var m = VirtfnPattern().Match(Path.GetFileName(link));
            if (m.Success && RealPath(link) == device) return int.Parse(m.Groups[1].Value);
        }
        return null;
    }

    private string? DeviceDirectory(string netdev) =>
        netdev.Contains('/') || netdev is "." or ".." ? null : RealPath(Path.Combine(root, "class", "net", netdev, "device"));

    // realpath(3): sysfs links are relative to the real directory of the link, which .NET's
    // ResolveLinkTarget does not follow when a parent (class/net/<if>) is itself a link.
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial string? RealPath(string path, nint resolved);

    private static string? RealPath(string path) => RealPath(path, 0);
}
