using System.Globalization;

namespace VirtioForwarder.Ports.Netdev;

/// <summary>
/// Finds the netdev behind a spec through sysfs: a PCI function's interfaces are the entries of
/// <c>&lt;root&gt;/bus/pci/devices/&lt;pci&gt;/net/</c>, its NUMA node is in <c>&lt;pci&gt;/numa_node</c>.
/// The root is a parameter so tests can present veths as PCI functions with plain directories.
/// </summary>
public static class NetdevLocator
{
    /// <summary>Overrides <c>/sys</c> as the root sysfs paths are read under (tests point it at a folder of their own).</summary>
    public const string SysfsRootVariable = "VIRTIOFWD_SYSFS_ROOT";

    /// <summary><c>$VIRTIOFWD_SYSFS_ROOT</c>, or <c>/sys</c> when it is unset or empty.</summary>
    public static string SysfsRootFromEnvironment() =>
        Environment.GetEnvironmentVariable(SysfsRootVariable) is { Length: > 0 } root ? root : "/sys";

    /// <summary>
    /// Resolves a <see cref="PortKind.Pci"/> or <see cref="PortKind.Netdev"/> spec. Throws
    /// <see cref="FileNotFoundException"/> naming the address when there is no such PCI device,
    /// <see cref="IOException"/> when it has no netdev (bound to vfio-pci, say) or several, and
    /// <see cref="ArgumentException"/> for other kinds or an interface name the kernel would refuse.
    /// </summary>
    public static NetdevLocation Locate(PortSpec spec, string sysfsRoot)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind switch
        {
            PortKind.Pci => LocatePci(spec, sysfsRoot),
            PortKind.Netdev => new NetdevLocation(CheckedName(spec, spec.InterfaceName),
                ReadNumaNode(Path.Combine(sysfsRoot, "class", "net", spec.InterfaceName, "device"))),
            _ => throw new ArgumentException(PortSpec.Describe(spec.Text, $"a {spec.Kind} port has no netdev"), nameof(spec)),
        };
    }

    /// <summary>The sysfs folder of a <see cref="PortKind.Pci"/> spec's device, or null if there is none.</summary>
    public static string? FindPciDevice(PortSpec spec, string sysfsRoot)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Kind == PortKind.Pci ? FindIgnoringCase(PciDevices(sysfsRoot), spec.PciAddress) : null;
    }

    private static string PciDevices(string sysfsRoot) => Path.Combine(sysfsRoot, "bus", "pci", "devices");

    private static NetdevLocation LocatePci(PortSpec spec, string sysfsRoot)
    {
        string devices = PciDevices(sysfsRoot);
        string device = FindPciDevice(spec, sysfsRoot)
            ?? throw new FileNotFoundException(PortSpec.Describe(spec.Text, $"no PCI device {spec.PciAddress} in {devices}"));
        string net = Path.Combine(device, "net");
        string[] names = Directory.Exists(net)
            ? Directory.GetDirectories(net).Select(d => Path.GetFileName(d)).Order(StringComparer.Ordinal).ToArray()
            : [];
        return names switch
        {
            [var name] => new NetdevLocation(CheckedName(spec, name), ReadNumaNode(device)),
            [] => throw new IOException(PortSpec.Describe(spec.Text,
                $"PCI device {spec.PciAddress} has no network interface (is it bound to a kernel network driver?)")),
            _ => throw new IOException(PortSpec.Describe(spec.Text,
                $"PCI device {spec.PciAddress} has several network interfaces ({string.Join(", ", names)}); name one with netdev:<ifname>")),
        };
    }

    // sysfs spells addresses in lower case, but a test tree or an odd kernel may not.
    private static string? FindIgnoringCase(string directory, string name)
    {
        if (!Directory.Exists(directory)) return null;
        string exact = Path.Combine(directory, name);
        if (Directory.Exists(exact)) return exact;
        return Directory.EnumerateDirectories(directory)
            .FirstOrDefault(d => string.Equals(Path.GetFileName(d), name, StringComparison.OrdinalIgnoreCase));
    }

    private static string CheckedName(PortSpec spec, string name) =>
        PortSpec.InterfaceNameProblem(name) is { } problem ? throw new ArgumentException(PortSpec.Describe(spec.Text, problem), nameof(spec)) : name;

    /// <summary>The device's numa_node file: -1 when missing, unreadable or not a number (the kernel writes -1 when it does not know).</summary>
    private static int ReadNumaNode(string device)
    {
        try
        {
            string text = File.ReadAllText(Path.Combine(device, "numa_node")).Trim();
            return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int node) && node >= -1 ? node : -1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
