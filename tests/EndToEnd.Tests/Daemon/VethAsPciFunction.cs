using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A veth pair inside the test namespace posing as an SR-IOV VF: the daemon's end is listed as
/// the netdev of PCI function <see cref="Address"/> in a sysfs tree of the test's own (the daemon
/// reads it through VIRTIOFWD_SYSFS_ROOT), the far end is the host side. Neither end makes IPv6
/// chatter of its own, so every frame on the link is the test's. The namespace's deletion takes
/// the pair; the sysfs tree lives in the work folder.
/// </summary>
public sealed class VethAsPciFunction
{
    private VethAsPciFunction(string address, string daemonEnd, string farEnd)
    {
        Address = address;
        DaemonEnd = daemonEnd;
        FarEnd = farEnd;
    }

    /// <summary>The function's address as sysfs spells it (dddd:bb:ss.f).</summary>
    public string Address { get; }

    /// <summary>The interface the daemon opens, through the PCI address.</summary>
    public string DaemonEnd { get; }

    /// <summary>The host side: where the test sends from and counts what arrives.</summary>
    public string FarEnd { get; }

    /// <summary>
    /// Makes the pair in <paramref name="netns"/> (both ends up, the far end addressed with
    /// <paramref name="farCidr"/> if given) and lists it as function <paramref name="address"/>
    /// on NUMA node <paramref name="numaNode"/> (-1: unknown, as the kernel writes it) under <paramref name="sysfsRoot"/>;
    /// each end has <paramref name="queues"/> RX and TX queues.
    /// </summary>
    public static VethAsPciFunction Create(NetNamespace netns, string sysfsRoot, string address, string? farCidr = null, int numaNode = 0, int queues = 1)
    {
        string suffix = UniqueName.New()[^6..];
        var veth = new VethAsPciFunction(address, "vfwdvf" + suffix, "vfwdhs" + suffix);
        netns.AddVethPair(veth.DaemonEnd, veth.FarEnd, queues);
        foreach (var end in (string[])[veth.DaemonEnd, veth.FarEnd])
        {
            HostCommand.RunChecked(new CommandLine("ip", "-n", netns.Name, "link", "set", end, "addrgenmode", "none"));
            netns.SetUp(end);
        }
        if (farCidr is not null) netns.AddAddress(veth.FarEnd, farCidr);
        string device = Path.Combine(sysfsRoot, "bus", "pci", "devices", address);
        Directory.CreateDirectory(Path.Combine(device, "net", veth.DaemonEnd));
        File.WriteAllText(Path.Combine(device, "numa_node"), $"{numaNode}\n");
        return veth;
    }
}
