using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Tests.Support;
using VirtioForwarder.Ports.Tests.Xdp;
using Xunit.Abstractions;
using XdpVeth = VirtioForwarder.Ports.Tests.Xdp.Support.VethInNamespace;

namespace VirtioForwarder.Ports.Tests;

/// <summary>
/// Frames the kernel drops because a port's receive ring is full are counted
/// (<see cref="IPort.RxMissed"/>: AF_PACKET's PACKET_STATISTICS, AF_XDP's XDP_STATISTICS): with
/// nobody receiving, a flood from the namespace overflows the ring, and every frame the port's
/// end of the veth took in is then either received or counted as missed.
/// </summary>
[Collection(XdpTests.Collection)]
public sealed unsafe class PortRxMissedTests(ITestOutputHelper output)
{
    private const int FramesPerFlood = 20000;
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(300);

    [Fact]
    public void FramesAFullPacketRingLosesAreCountedAndEveryFrameIsReceivedOrCounted()
    {
        using var lab = VethInNamespace.Create();
        // The namespace's end says nothing of its own (IPv6 router solicitations, MLD) while the frames are counted.
        lab.Namespace.Start("sysctl", "-qw", $"net.ipv6.conf.{lab.FarInterface}.disable_ipv6=1").Wait();
        AssertEveryFrameIsReceivedOrMissed(lab.Port, lab.Namespace, lab.FarInterface,
            () => long.Parse(File.ReadAllText($"/sys/class/net/{lab.Interface}/statistics/rx_packets")));
    }

    [Fact]
    public void FramesAFullXdpRingLosesAreCountedAndEveryFrameIsReceivedOrCounted()
    {
        using var veth = XdpVeth.Create();
        using var port = veth.OpenPort();
        AssertEveryFrameIsReceivedOrMissed(port, veth.Namespace, XdpVeth.PeerInterface,
            () => veth.Namespace.ReadCounter(XdpVeth.PortInterface, "rx_packets"));
    }

    /// <summary>
    /// Floods the port from <paramref name="sender"/> until it has missed frames (its ring's size
    /// is the port's business), receives everything, and checks that what arrived at the port's
    /// end (<paramref name="arrivedAtThePort"/>, its rx_packets) was received or counted.
    /// </summary>
    private void AssertEveryFrameIsReceivedOrMissed(IPort port, TestNamespace ns, string sender, Func<long> arrivedAtThePort)
    {
        Drain(port);
        long arrivedBefore = arrivedAtThePort();
        long missedBefore = port.RxMissed;

        for (int flood = 0; flood < 10 && port.RxMissed == missedBefore; flood++) Flood(ns, sender, FramesPerFlood);
        long received = Drain(port);
        long missed = port.RxMissed - missedBefore;
        long arrived = arrivedAtThePort() - arrivedBefore;

        output.WriteLine($"{arrived} frames arrived at the port: {received} received, {missed} missed");
        Assert.True(missed > 0, $"nothing missed of {arrived} frames");
        Assert.True(received > 0, $"nothing received of {arrived} frames");
        Assert.Equal(arrived, received + missed);
        Assert.Equal(missed, port.RxMissed - missedBefore); // reading again adds nothing
    }

    /// <summary>Full-size frames out of <paramref name="ifname"/> as fast as a packet socket sends them.</summary>
    private static void Flood(TestNamespace ns, string ifname, int count)
    {
        string script = "import socket\n" +
                        "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n" +
                        $"s.bind(('{ifname}', 0))\n" +
                        "frame = bytes.fromhex('020000000002' + '020000000001' + '88b5') + bytes(1500)\n" +
                        $"for i in range({count}):\n" +
                        "    try:\n" +
                        "        s.send(frame)\n" +
                        "    except OSError:\n" +   // ENOBUFS: the sender's own queue is full; go on
                        "        pass\n";
        var result = ns.Start("/usr/bin/python3", "-c", script).Wait();
        Assert.True(result.Succeeded, result.ToString());
    }

    /// <summary>Receives until nothing has come for <see cref="Quiet"/>; returns how many frames.</summary>
    private static long Drain(IPort port)
    {
        var frames = new Frame[64];
        long total = 0;
        var quietUntil = DateTime.UtcNow + Quiet;
        while (DateTime.UtcNow < quietUntil)
        {
            var poll = new PollFd { Fd = port.ReadinessFd, Events = Libc.POLLIN };
            Libc.Poll(&poll, 1, 20);
            int n = port.Receive(frames);
            if (n == 0) continue;
            total += n;
            quietUntil = DateTime.UtcNow + Quiet;
        }
        return total;
    }
}
