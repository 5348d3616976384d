namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>
/// A temporary folder laid out like the parts of /sys that <see cref="Netdev.NetdevLocator"/>
/// reads, so any netdev can pose as a PCI function. Dispose deletes it.
/// </summary>
public sealed class FakeSysfs : IDisposable
{
    public FakeSysfs() => Directory.CreateDirectory(Root);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), UniqueName.New("vfwd-sysfs-"));

    /// <summary>Adds <c>bus/pci/devices/&lt;address&gt;</c> with a <c>net/&lt;name&gt;</c> folder per interface and, if given, numa_node.</summary>
    public string AddPciFunction(string address, string[] interfaces, string? numaNode = null)
    {
        string device = Path.Combine(Root, "bus", "pci", "devices", address);
        Directory.CreateDirectory(device);
        foreach (var name in interfaces) Directory.CreateDirectory(Path.Combine(device, "net", name));
        if (numaNode is not null) File.WriteAllText(Path.Combine(device, "numa_node"), numaNode + "\n");
        return device;
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
