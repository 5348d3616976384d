namespace VirtioForwarder.Control.Tests.LegacyPorts;

/// <summary>
/// A sysfs tree of links in a temporary directory, shaped like the kernel's: class/net/&lt;if&gt;
/// links into devices/, a netdev's <c>device</c> links to its PCI function, a VF's <c>physfn</c>
/// to its PF and the PF's <c>virtfnN</c> back to each VF.
/// </summary>
internal sealed class FakeSysfs : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("vfwd-sysfs-").FullName;

    private string Pci(string address) => Directory.CreateDirectory(Path.Combine(Root, "devices", "pci0000:00", address)).FullName;

    /// <summary>A netdev on a PCI function (a PF, or nothing SR-IOV at all).</summary>
    public void AddPciNetdev(string netdev, string address) => AddNetdev(netdev, Pci(address));

    /// <summary>A netdev on VF <paramref name="index"/> of the PF at <paramref name="pf"/>.</summary>
    public void AddVfNetdev(string netdev, string pf, int index, string address)
    {
        string vf = Pci(address), pfDir = Pci(pf);
        File.CreateSymbolicLink(Path.Combine(vf, "physfn"), "../" + pf);
        File.CreateSymbolicLink(Path.Combine(pfDir, $"virtfn{index}"), "../" + address);
        AddNetdev(netdev, vf);
    }

    /// <summary>A virtual netdev (veth, tap): no device link.</summary>
    public void AddVirtualNetdev(string netdev) =>
        AddNetdev(netdev, Directory.CreateDirectory(Path.Combine(Root, "devices", "virtual")).FullName, device: false);

    private void AddNetdev(string netdev, string deviceDir, bool device = true)
    {
        string netDir = Directory.CreateDirectory(Path.Combine(deviceDir, "net", netdev)).FullName;
        if (device) File.CreateSymbolicLink(Path.Combine(netDir, "device"), "../..");
        string classNet = Directory.CreateDirectory(Path.Combine(Root, "class", "net")).FullName;
        File.CreateSymbolicLink(Path.Combine(classNet, netdev), Path.GetRelativePath(classNet, netDir));
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
