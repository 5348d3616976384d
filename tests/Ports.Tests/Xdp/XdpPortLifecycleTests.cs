using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Tests.Xdp.Support;
using VirtioForwarder.Ports.Xdp;

namespace VirtioForwarder.Ports.Tests.Xdp;

/// <summary>What opening an XdpPort attaches, what closing it leaves, and the errors a fallback relies on.</summary>
[Collection(XdpTests.Collection)]
public sealed class XdpPortLifecycleTests
{
    [Fact]
    public void OnAVethTheProgramRunsNativelyAndDisposeDetachesIt()
    {
        using var veth = VethInNamespace.Create();
        int bpfFds = OpenBpfFds();
        var port = veth.OpenPort();
        try
        {
            Assert.Equal(XdpAttachMode.Native, port.AttachMode);
            Assert.Contains("prog/xdp id", veth.LinkDetails());
            Assert.DoesNotContain("xdpgeneric", veth.LinkDetails());
        }
        finally
        {
            port.Dispose();
        }
        Assert.DoesNotContain("prog/xdp", veth.LinkDetails());
        Assert.Equal(bpfFds, OpenBpfFds());
    }

    [Fact]
    public void GenericModeWhenAskedAttachesOnTheSkbPath()
    {
        using var veth = VethInNamespace.Create();
        using (var port = veth.OpenPort(new XdpPortOptions { Mode = XdpAttachMode.Generic }))
        {
            Assert.Equal(XdpAttachMode.Generic, port.AttachMode);
            Assert.False(port.ZeroCopy);
            Assert.Contains("xdpgeneric", veth.LinkDetails());
        }
        Assert.DoesNotContain("prog/xdp", veth.LinkDetails());
    }

    [Fact]
    public void WithoutNativeXdpInTheDriverItFallsBackToTheSkbPath()
    {
        using var veth = VethInNamespace.Create();
        // A bridge device has no XDP hook of its own.
        veth.Namespace.Ip("link", "add", "vfwd-br", "type", "bridge");
        veth.Namespace.Ip("link", "set", "vfwd-br", "up");
        using (var port = veth.OpenPort(interfaceName: "vfwd-br"))
        {
            Assert.Equal(XdpAttachMode.Generic, port.AttachMode);
            Assert.Contains("xdpgeneric", veth.LinkDetails("vfwd-br"));
        }
        Assert.DoesNotContain("prog/xdp", veth.LinkDetails("vfwd-br"));
    }

    [Fact]
    public void ASecondPortOnTheSameInterfaceFailsCleanlyAndLeavesTheFirstAttached()
    {
        using var veth = VethInNamespace.Create();
        using var first = veth.OpenPort();
        int bpfFds = OpenBpfFds();
        var failure = Assert.Throws<SystemCallException>(() => veth.OpenPort());
        Assert.Equal(Errno.EBUSY, failure.ErrorNumber);
        Assert.Contains("BPF_LINK_CREATE", failure.Message);
        Assert.Equal(bpfFds, OpenBpfFds());
        Assert.Contains("prog/xdp id", veth.LinkDetails());
    }

    [Fact]
    public void AMissingInterfaceIsAClearError()
    {
        using var veth = VethInNamespace.Create();
        var failure = Assert.Throws<SystemCallException>(() => veth.OpenPort(interfaceName: "vfwd-none"));
        Assert.Contains("vfwd-none", failure.Message);
    }

    [Fact]
    public void FramesLargerThanAnAfXdpFrameAreNotSupported()
    {
        using var veth = VethInNamespace.Create();
        Assert.Throws<NotSupportedException>(() => InNamespace.Run(veth.Namespace.Name,
            () => XdpPort.Open("xdp", VethInNamespace.PortInterface, new XdpPortOptions(), 9000)));
        Assert.DoesNotContain("prog/xdp", veth.LinkDetails());
    }

    [Fact]
    public void LinkUpFollowsThePeer()
    {
        using var veth = VethInNamespace.Create();
        using var port = veth.OpenPort();
        Assert.True(WaitFor(() => port.LinkUp));
        veth.Namespace.Ip("link", "set", VethInNamespace.PeerInterface, "down");
        Assert.True(WaitFor(() => !port.LinkUp), "LinkUp stayed true with the peer down");
        veth.Namespace.Ip("link", "set", VethInNamespace.PeerInterface, "up");
        Assert.True(WaitFor(() => port.LinkUp), "LinkUp stayed false with the peer back up");
    }

    [Fact]
    public void BusyPollingCanBeAskedFor()
    {
        using var veth = VethInNamespace.Create();
        using var port = veth.OpenPort(new XdpPortOptions { BusyPollBudget = 64 });
        using var peer = veth.OpenPeer();
        peer.Send(MarkedFrames.Build(veth.PortMac, veth.PeerMac, 1));
        var frames = new Frame[8];
        Assert.True(WaitFor(() => port.Receive(frames) > 0 && MarkedFrames.IsMarked(frames[0].Bytes)));
    }

    private static bool WaitFor(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) return false;
            Thread.Sleep(20);
        }
        return true;
    }

    /// <summary>This process's fds on BPF maps, programs and links.</summary>
    private static int OpenBpfFds() => new DirectoryInfo("/proc/self/fd").GetFiles()
        .Count(fd => fd.LinkTarget?.StartsWith("anon_inode:bpf", StringComparison.Ordinal) == true);
}
