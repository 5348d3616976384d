using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Tests.Support;
using static VirtioForwarder.Ports.Tests.Support.IKernelPeerLab;
using static VirtioForwarder.Ports.Tests.Support.TestFrames;

namespace VirtioForwarder.Ports.Tests;

/// <summary>What every port to a kernel netdev must do, run against each kind (tap, AF_PACKET on a veth).</summary>
public abstract unsafe class KernelPeerTrafficTests
{
    protected static readonly TimeSpan FrameTimeout = TimeSpan.FromSeconds(5);

    protected abstract IKernelPeerLab CreateLab();

    protected static Func<byte[], bool> IsArpAboutPeer(ushort operation) => IsArpAbout(operation, PeerAddress);

    protected static byte[] ArpRequestForKernel() => BuildArp(ArpRequest, PeerMac, PeerAddress, [], KernelAddress);

    [Fact]
    public void ReceivesTheArpRequestsOfAPingFromTheNamespace()
    {
        using var lab = CreateLab();
        using var ping = lab.Namespace.Start("busybox", "ping", "-c", "1", "-W", "1", PeerAddress.ToString());

        var request = lab.WaitForFrame(IsArpAboutPeer(ArpRequest), FrameTimeout);

        Assert.NotNull(request);
        Assert.Equal(EtherTypeArp, EtherType(request));
        var arp = ReadArp(request)!;
        Assert.Equal(KernelAddress, arp.SenderIp);
        Assert.Equal(lab.KernelMac, arp.SenderMac);
        Assert.Equal(lab.KernelMac, SourceMac(request));
        Assert.False(ping.Wait().Succeeded, "nobody answered, so the ping must fail");
    }

    [Fact]
    public void TransmittedFramesReachTheNamespaceKernel()
    {
        using var lab = CreateLab();
        long packetsBefore = lab.Namespace.ReadCounter(lab.KernelInterface, "rx_packets");
        long bytesBefore = lab.Namespace.ReadCounter(lab.KernelInterface, "rx_bytes");
        var request = ArpRequestForKernel();

        Assert.Equal(1, lab.Send(request));

        // The kernel understood it: it answers.
        var reply = lab.WaitForFrame(IsArpAboutPeer(ArpReply), FrameTimeout);
        Assert.NotNull(reply);
        Assert.Equal(PeerMac, ReadArp(reply)!.TargetMac);
        Assert.Equal(packetsBefore + 1, lab.Namespace.ReadCounter(lab.KernelInterface, "rx_packets"));
        Assert.Equal(bytesBefore + request.Length, lab.Namespace.ReadCounter(lab.KernelInterface, "rx_bytes"));
    }

    [Fact]
    public void APingFromTheNamespaceSucceedsWhenTheTestAnswersThroughThePort()
    {
        using var lab = CreateLab();
        using var ping = lab.Namespace.Start("busybox", "ping", "-c", "1", "-W", "5", PeerAddress.ToString());

        var who = lab.WaitForFrame(IsArpAboutPeer(ArpRequest), FrameTimeout);
        Assert.NotNull(who);
        Assert.Equal(1, lab.Send(BuildArp(ArpReply, PeerMac, PeerAddress, lab.KernelMac, KernelAddress)));
        var echo = lab.WaitForFrame(f => IsEchoRequest(f), FrameTimeout);
        Assert.NotNull(echo);
        Assert.Equal(1, lab.Send(EchoReplyTo(echo)));

        var result = ping.Wait();
        Assert.True(result.Succeeded, result.ToString());
    }

    [Fact]
    public void SendingAndReceivingAllocatesNothing()
    {
        using var lab = CreateLab();
        var port = lab.Port;
        var request = ArpRequestForKernel();
        var frames = new Frame[32];
        void Batch()
        {
            int lent = port.AcquireTx(frames.AsSpan(0, 4));
            for (int i = 0; i < lent; i++)
            {
                request.CopyTo(new Span<byte>(frames[i].Data, frames[i].Capacity));
                frames[i].Length = request.Length;
            }
            port.Transmit(frames, lent);
            port.Receive(frames);
            _ = port.LinkUp;
        }
        Batch();

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++) Batch();

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
