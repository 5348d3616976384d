namespace VirtioForwarder.Ports.Tests.Xdp;

/// <summary>The AF_XDP tests run one at a time, so one test's count of this process's BPF fds is not moved by another's.</summary>
public static class XdpTests
{
    public const string Collection = "AF_XDP";
}
