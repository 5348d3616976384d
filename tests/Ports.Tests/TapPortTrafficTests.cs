using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Tests.Support;
using static VirtioForwarder.Ports.Tests.Support.TestFrames;

namespace VirtioForwarder.Ports.Tests;

/// <summary>A real tap, moved into a namespace of the test's own, exchanging frames with that namespace's kernel.</summary>
public unsafe class TapPortTrafficTests
{
    private static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Matches an ARP frame of <paramref name="operation"/> whose target is the test's peer address.</summary>
    private static Func<byte[], bool> IsArpAboutPeer(ushort operation) =>
        f => ReadArp(f) is { } arp && arp.Operation == operation && arp.TargetIp.Equals(TapInNamespace.PeerAddress);

    [Fact]
    public void ReceivesTheArpRequestsOfAPingFromTheNamespace()
    {
        using var lab = TapInNamespace.Create();
        using var ping = lab.Namespace.Start("busybox", "ping", "-c", "1", "-W", "1", TapInNamespace.PeerAddress.ToString());

        var request = lab.WaitForFrame(IsArpAboutPeer(ArpRequest), FrameTimeout);

        Assert.NotNull(request);
        Assert.Equal(EtherTypeArp, EtherType(request));
        var arp = ReadArp(request)!;
        Assert.Equal(TapInNamespace.KernelAddress, arp.SenderIp);
        Assert.Equal(lab.KernelMac, arp.SenderMac);
        Assert.Equal(lab.KernelMac, SourceMac(request));
        Assert.False(ping.Wait().Succeeded, "nobody answered, so the ping must fail");
    }

    [Fact]
    public void TransmittedFramesReachTheNamespaceKernel()
    {
        using var lab = TapInNamespace.Create();
        long packetsBefore = lab.Namespace.ReadCounter(lab.Interface, "rx_packets");
        long bytesBefore = lab.Namespace.ReadCounter(lab.Interface, "rx_bytes");
        var request = BuildArp(ArpRequest, TapInNamespace.PeerMac, TapInNamespace.PeerAddress, [], TapInNamespace.KernelAddress);

        Assert.Equal(1, lab.Send(request));

        Assert.Equal(packetsBefore + 1, lab.Namespace.ReadCounter(lab.Interface, "rx_packets"));
        Assert.Equal(bytesBefore + request.Length, lab.Namespace.ReadCounter(lab.Interface, "rx_bytes"));
        // The kernel understood it: it answers.
        var reply = lab.WaitForFrame(IsArpAboutPeer(ArpReply), FrameTimeout);
        Assert.NotNull(reply);
        Assert.Equal(TapInNamespace.PeerMac, ReadArp(reply)!.TargetMac);
        Assert.Equal(0, lab.Port.TxErrors);
    }

    [Fact]
    public void APingFromTheNamespaceSucceedsWhenTheTestAnswersThroughThePort()
    {
        using var lab = TapInNamespace.Create();
        using var ping = lab.Namespace.Start("busybox", "ping", "-c", "1", "-W", "5", TapInNamespace.PeerAddress.ToString());

        var who = lab.WaitForFrame(IsArpAboutPeer(ArpRequest), FrameTimeout);
        Assert.NotNull(who);
        Assert.Equal(1, lab.Send(BuildArp(ArpReply, TapInNamespace.PeerMac, TapInNamespace.PeerAddress, lab.KernelMac, TapInNamespace.KernelAddress)));
        var echo = lab.WaitForFrame(f => IsEchoRequest(f), FrameTimeout);
        Assert.NotNull(echo);
        Assert.Equal(1, lab.Send(EchoReplyTo(echo)));

        var result = ping.Wait();
        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void AFrameTheKernelRefusesCountsAsAnErrorWithoutStoppingTheBatch()
    {
        using var lab = TapInNamespace.Create();
        long packetsBefore = lab.Namespace.ReadCounter(lab.Interface, "rx_packets");
        var frames = new Frame[3];
        Assert.Equal(3, lab.Port.AcquireTx(frames));
        var request = BuildArp(ArpRequest, TapInNamespace.PeerMac, TapInNamespace.PeerAddress, [], TapInNamespace.KernelAddress);
        foreach (int i in (int[])[0, 2])
        {
            request.CopyTo(new Span<byte>(frames[i].Data, frames[i].Capacity));
            frames[i].Length = request.Length;
        }
        frames[1].Length = 10; // shorter than an Ethernet header

        Assert.Equal(3, lab.Port.Transmit(frames, 3));

        Assert.Equal(1, lab.Port.TxErrors);
        Assert.Equal(packetsBefore + 2, lab.Namespace.ReadCounter(lab.Interface, "rx_packets"));
    }

    [Fact]
    public void SendingAndReceivingAllocatesNothing()
    {
        using var lab = TapInNamespace.Create();
        var request = BuildArp(ArpRequest, TapInNamespace.PeerMac, TapInNamespace.PeerAddress, [], TapInNamespace.KernelAddress);
        var frames = new Frame[32];
        void Batch()
        {
            int lent = lab.Port.AcquireTx(frames.AsSpan(0, 4));
            for (int i = 0; i < lent; i++)
            {
                request.CopyTo(new Span<byte>(frames[i].Data, frames[i].Capacity));
                frames[i].Length = request.Length;
            }
            lab.Port.Transmit(frames, lent);
            lab.Port.Receive(frames);
        }
        Batch();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Batch();

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void ClosingThePortRemovesTheTap()
    {
        using var lab = TapInNamespace.Create();
        Assert.True(lab.Namespace.Ip("link", "show", lab.Interface).Succeeded);

        lab.Port.Dispose();

        Assert.False(HostProcess.Run("ip", "-n", lab.Namespace.Name, "link", "show", lab.Interface).Succeeded);
    }
}
