using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Tests.Xdp.Support;
using VirtioForwarder.Ports.Xdp;

namespace VirtioForwarder.Ports.Tests.Xdp;

/// <summary>
/// Frames cross an XdpPort on a veth in both directions, byte for byte, natively and on the
/// generic path. Each test moves more frames than the port has RX or TX buffers (2048 each),
/// so it also proves buffers return: RX ones through the fill ring, TX ones through the
/// completion ring.
/// </summary>
[Collection(XdpTests.Collection)]
public sealed unsafe class XdpPortTrafficTests
{
    private const int Rounds = 20, PerRound = 128, Batch = 32;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    public static TheoryData<XdpAttachMode?> Modes => new() { (XdpAttachMode?)null, XdpAttachMode.Generic };

    [Theory]
    [MemberData(nameof(Modes))]
    public void FramesFromThePeerArriveThroughReceive(XdpAttachMode? mode) => InRounds(mode, (veth, port, peer, frames, first) =>
    {
        int end = first + PerRound;
        for (int i = first; i < end; i++) peer.Send(MarkedFrames.Build(veth.PortMac, veth.PeerMac, i));
        int expected = first;
        var deadline = DateTime.UtcNow + Patience;
        while (expected < end && DateTime.UtcNow < deadline)
        {
            WaitReadable(port.ReadinessFd);
            int n = port.Receive(frames);
            for (int i = 0; i < n; i++)
            {
                var bytes = frames[i].Bytes;
                if (!MarkedFrames.IsMarked(bytes)) continue;
                Assert.Equal(MarkedFrames.Build(veth.PortMac, veth.PeerMac, expected), bytes.ToArray());
                expected++;
            }
        }
        Assert.True(expected == end, $"received up to frame {expected} of {end}");
    });

    [Theory]
    [MemberData(nameof(Modes))]
    public void FramesSentThroughTransmitArriveAtThePeer(XdpAttachMode? mode) => InRounds(mode, (veth, port, peer, frames, first) =>
    {
        int end = first + PerRound;
        for (int sequence = first; sequence < end;)
        {
            int lent = port.AcquireTx(frames);
            Assert.True(lent > 0, $"no TX buffer after frame {sequence}");
            int count = Math.Min(lent, end - sequence);
            for (int i = 0; i < count; i++)
            {
                var frame = MarkedFrames.Build(veth.PeerMac, veth.PortMac, sequence + i);
                frame.CopyTo(new Span<byte>(frames[i].Data, frames[i].Capacity));
                frames[i].Length = frame.Length;
            }
            Assert.Equal(count, port.Transmit(frames, count));
            sequence += count;
        }
        for (int expected = first; expected < end;)
        {
            var frame = peer.Receive(Patience);
            Assert.True(frame is not null, $"the peer got frames up to {expected} of {end}");
            if (!MarkedFrames.IsMarked(frame)) continue;
            Assert.Equal(MarkedFrames.Build(veth.PeerMac, veth.PortMac, expected), frame);
            expected++;
        }
        Assert.Equal(0, port.TxErrors);
    });

    [Fact]
    public void AnEmptyFrameIsCountedAsAnErrorAndItsBufferReturns()
    {
        using var veth = VethInNamespace.Create();
        using var port = veth.OpenPort();
        using var peer = veth.OpenPeer();
        var frames = new Frame[2];
        Assert.Equal(2, port.AcquireTx(frames));
        var good = MarkedFrames.Build(veth.PeerMac, veth.PortMac, 7);
        good.CopyTo(new Span<byte>(frames[1].Data, frames[1].Capacity));
        frames[1].Length = good.Length;
        Assert.Equal(2, port.Transmit(frames, 2));
        Assert.Equal(1, port.TxErrors);
        byte[]? received;
        do received = peer.Receive(Patience);
        while (received is not null && !MarkedFrames.IsMarked(received));
        Assert.Equal(good, received);
    }

    [Fact]
    public void AcquiringAgainWithoutTransmittingLosesNoBuffer()
    {
        using var veth = VethInNamespace.Create();
        using var port = veth.OpenPort(new XdpPortOptions { FrameCount = 256 });
        var frames = new Frame[256];
        Assert.Equal(128, port.AcquireTx(frames));
        Assert.Equal(128, port.AcquireTx(frames));
        Assert.Equal(0, port.Transmit(frames, 0));
        Assert.Equal(128, port.AcquireTx(frames));
    }

    /// <summary>Opens a port and its peer, then runs <paramref name="round"/> for frames [first, first + PerRound) of each round.</summary>
    private static void InRounds(XdpAttachMode? mode, Action<VethInNamespace, XdpPort, PeerPacketSocket, Frame[], int> round)
    {
        using var veth = VethInNamespace.Create();
        using var port = veth.OpenPort(new XdpPortOptions { Mode = mode });
        using var peer = veth.OpenPeer();
        var frames = new Frame[Batch];
        for (int i = 0; i < Rounds; i++) round(veth, port, peer, frames, i * PerRound);
    }

    private static void WaitReadable(int fd)
    {
        var poll = new PollFd { Fd = fd, Events = Libc.POLLIN };
        Libc.Poll(&poll, 1, 100);
    }
}
