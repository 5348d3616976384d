using System.Buffers.Binary;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Packet;
using VirtioForwarder.Ports.Tests.Support;
using VirtioForwarder.Ports.Tests.Xdp.Support;

namespace VirtioForwarder.Ports.Tests;

/// <summary>
/// An AF_PACKET port on a device with several queues: a socket per queue in a fanout group, the
/// kernel spreading received frames over them by flow, each socket sending on its own.
/// </summary>
public sealed unsafe class PacketPortQueueTests
{
    private const int Flows = 16, FramesPerFlow = 20;
    private static readonly PortSpec Spec = PortSpec.Parse("netdev:" + Xdp.Support.VethInNamespace.PortInterface);

    [Fact]
    public void OnADeviceWithOneQueueThePortHasNoQueueList()
    {
        using var veth = Xdp.Support.VethInNamespace.Create();
        using var port = Open(veth, int.MaxValue);
        Assert.Empty(port.Queues);
    }

    [Fact]
    public void MaxQueuesCapsTheSockets()
    {
        using var veth = Xdp.Support.VethInNamespace.Create(queues: 2);
        using var port = Open(veth, maxQueues: 1);
        Assert.Empty(port.Queues);
    }

    [Fact]
    public void EachFlowArrivesWholeOnOneQueueAndTheFlowsUseBoth()
    {
        using var veth = Xdp.Support.VethInNamespace.Create(queues: 2);
        using var port = Open(veth, int.MaxValue);
        Assert.Equal(2, port.Queues.Count);
        Assert.Same(port, port.Queues[0]);
        Assert.NotEqual(port.ReadinessFd, port.Queues[1].ReadinessFd);

        veth.Namespace.Ip("neigh", "replace", "198.18.0.2", "lladdr", "02:00:00:00:00:02", "dev", Xdp.Support.VethInNamespace.PeerInterface);
        string script = "import socket\n" +
                        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                        $"for i in range({Flows * FramesPerFlow}):\n" +
                        $"    s.sendto(bytes(32), ('198.18.0.2', 9 + i % {Flows}))\n";
        HostProcess.RunChecked("ip", "netns", "exec", veth.Namespace.Name, "/usr/bin/python3", "-c", script);

        // UDP destination port → the queues it arrived on, and how many frames came.
        var queuesOfFlow = new Dictionary<int, HashSet<int>>();
        int received = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var frames = new Frame[32];
        while (received < Flows * FramesPerFlow && DateTime.UtcNow < deadline)
        {
            for (int q = 0; q < port.Queues.Count; q++)
            {
                var poll = new PollFd { Fd = port.Queues[q].ReadinessFd, Events = Libc.POLLIN };
                Libc.Poll(&poll, 1, 10);
                int n = port.Queues[q].Receive(frames);
                for (int i = 0; i < n; i++)
                {
                    if (UdpDestination(frames[i].Bytes) is not { } flow) continue;
                    received++;
                    (queuesOfFlow.TryGetValue(flow, out var seen) ? seen : queuesOfFlow[flow] = []).Add(q);
                }
            }
        }

        Assert.Equal(Flows * FramesPerFlow, received);
        Assert.All(queuesOfFlow.Values, seen => Assert.Single(seen));
        Assert.Equal([0, 1], queuesOfFlow.Values.SelectMany(seen => seen).Distinct().Order());
    }

    [Fact]
    public void EveryQueueSendsOnItsOwn()
    {
        using var veth = Xdp.Support.VethInNamespace.Create(queues: 2);
        using var port = Open(veth, int.MaxValue);
        using var peer = veth.OpenPeer();
        for (int q = 0; q < port.Queues.Count; q++)
            Assert.Equal(1, new PortExchange(port.Queues[q]).Send(MarkedFrames.Build(veth.PeerMac, veth.PortMac, q)));

        var sequences = new List<int>();
        while (sequences.Count < port.Queues.Count && peer.Receive(TimeSpan.FromSeconds(5)) is { } frame)
            if (MarkedFrames.IsMarked(frame)) sequences.Add(MarkedFrames.Sequence(frame));
        Assert.Equal([0, 1], sequences.Order());
    }

    private static PacketPort Open(Xdp.Support.VethInNamespace veth, int maxQueues) =>
        Assert.IsType<PacketPort>(InNamespace.Run(veth.Namespace.Name, () =>
            PortFactory.Open(Spec, new PortOpenOptions { Driver = PortDriver.Packet, MaxQueues = maxQueues })));

    /// <summary>The destination port of an untagged IPv4 UDP frame without options; null for anything else.</summary>
    private static int? UdpDestination(ReadOnlySpan<byte> frame) =>
        frame.Length >= 38 && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == 0x0800 && frame[14] == 0x45 && frame[23] == 17
            ? BinaryPrimitives.ReadUInt16BigEndian(frame[36..])
            : null;
}
