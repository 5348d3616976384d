using VirtioForwarder.Ports.Tests.Support;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>
/// Veth pairs for bond tests: each pair's local end (root namespace, no addresses, no IPv6
/// chatter) is opened as an AF_PACKET port, its far end lives in a namespace of the test's own.
/// Dispose deletes the namespace, which takes every pair with it.
/// </summary>
public sealed class BondVethLab : IDisposable
{
    public BondVethLab() => Namespace = TestNamespace.Create();

    public TestNamespace Namespace { get; }

    /// <summary>Makes a pair; returns (local end, far end) names.</summary>
    public (string Local, string Far) AddPair()
    {
        string suffix = UniqueName.New("");
        string local = "vfwdl" + suffix, far = "vfwdf" + suffix;
        HostProcess.RunChecked("ip", "link", "add", local, "type", "veth", "peer", "name", far, "netns", Namespace.Name);
        HostProcess.RunChecked("ip", "link", "set", local, "addrgenmode", "none");
        Namespace.Ip("link", "set", far, "up");
        return (local, far);
    }

    /// <summary>Opens the local end as an AF_PACKET member port.</summary>
    public static IPort Open(string local) =>
        PortFactory.Open(PortSpec.Parse("netdev:" + local), new PortOpenOptions { Driver = PortDriver.Packet });

    /// <summary>A "cable" through the namespace: every frame arriving on far end <paramref name="from"/> leaves on <paramref name="to"/> (a tc u32 match-all with mirred), both ways.</summary>
    public void Cable(string from, string to)
    {
        foreach (var (a, b) in new[] { (from, to), (to, from) })
        {
            HostProcess.RunChecked("ip", "netns", "exec", Namespace.Name, "tc", "qdisc", "add", "dev", a, "ingress");
            HostProcess.RunChecked("ip", "netns", "exec", Namespace.Name, "tc", "filter", "add", "dev", a, "parent", "ffff:", "u32", "match", "u32", "0", "0", "action", "mirred", "egress", "redirect", "dev", b);
        }
    }

    public static long Counter(string local, string counter) =>
        long.Parse(File.ReadAllText($"/sys/class/net/{local}/statistics/{counter}").Trim());

    public void Dispose() => Namespace.Dispose();
}
