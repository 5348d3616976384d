using System.Buffers.Binary;
using VirtioForwarder.Platform;
using PartialChecksum = VirtioForwarder.Ports.Offload.PartialChecksum;
using VirtioForwarder.Ports.Tests.Support;
using static VirtioForwarder.Ports.Tests.Support.TestFrames;

namespace VirtioForwarder.Ports.Tests;

/// <summary>An AF_PACKET port on a real veth whose far end is in a namespace of the test's own.</summary>
public unsafe class PacketPortTrafficTests : KernelPeerTrafficTests
{
    private static readonly TimeSpan CounterTimeout = TimeSpan.FromSeconds(5);

    protected override IKernelPeerLab CreateLab() => VethInNamespace.Create();

    /// <summary>PACKET_IGNORE_OUTGOING: what the port sends is not received back.</summary>
    [Fact]
    public void TheFramesThePortSendsAreNotHeardBack()
    {
        using var lab = VethInNamespace.Create();

        Assert.Equal(1, lab.Send(ArpRequestForKernel()));

        Assert.NotNull(lab.WaitForFrame(IsArpAboutPeer(ArpReply), FrameTimeout));
        Assert.Null(lab.WaitForFrame(f => ReadArp(f) is { Operation: ArpRequest } a && a.SenderMac.SequenceEqual(VethInNamespace.PeerMac), TimeSpan.FromMilliseconds(300)));
    }

    /// <summary>
    /// A local socket's datagrams leave their checksum to the device (NEEDS_CSUM): the port hands
    /// the kernel's offload state over with the frame, and completing it gives a valid checksum.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(32)]
    [InlineData(64)]
    public void EveryDatagramOfABurstArrivesWithAValidChecksumOnceItsOffloadIsResolved(int batch)
    {
        const int count = 300;
        using var lab = VethInNamespace.Create();
        lab.AddPeerNeighbour();

        SendUdpBurst(lab, count);

        var frames = new Frame[batch];
        int received = 0, badChecksums = 0, partial = 0;
        var deadline = DateTime.UtcNow + FrameTimeout;
        while (received < count && DateTime.UtcNow < deadline)
        {
            var poll = new PollFd { Fd = lab.Port.ReadinessFd, Events = Libc.POLLIN };
            Libc.Poll(&poll, 1, 100);
            int n = lab.Port.Receive(frames);
            Assert.InRange(n, 0, batch);
            for (int i = 0; i < n; i++)
            {
                if (!IsUdpToPeer(frames[i].Bytes)) continue;
                received++;
                if ((frames[i].Offload.Flags & VirtioNetHeader.NeedsChecksum) != 0)
                {
                    partial++;
                    Assert.True(PartialChecksum.Complete(ref frames[i]));
                }
                var frame = frames[i].Bytes;
                if (!UdpChecksumIsValid(frame)) badChecksums++;
            }
        }

        Assert.Equal(count, received);
        Assert.Equal(count, partial);
        Assert.Equal(0, badChecksums);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(32)]
    [InlineData(64)]
    public void EveryFrameOfManyBatchesReachesTheNamespace(int batch)
    {
        const int count = 640;
        using var lab = VethInNamespace.Create();
        long before = lab.Namespace.ReadCounter(lab.FarInterface, "rx_packets");
        var request = ArpRequestForKernel();
        var frames = new Frame[batch];

        int sent = 0;
        var deadline = DateTime.UtcNow + FrameTimeout;
        while (sent < count && DateTime.UtcNow < deadline)
        {
            int lent = lab.Port.AcquireTx(frames.AsSpan(0, Math.Min(batch, count - sent)));
            for (int i = 0; i < lent; i++)
            {
                request.CopyTo(new Span<byte>(frames[i].Data, frames[i].Capacity));
                frames[i].Length = request.Length;
            }
            sent += lab.Port.Transmit(frames, lent);
        }

        Assert.Equal(count, sent);
        WaitFor(() => lab.Namespace.ReadCounter(lab.FarInterface, "rx_packets") >= before + count, "the namespace to count every frame");
        Assert.Equal(before + count, lab.Namespace.ReadCounter(lab.FarInterface, "rx_packets"));
    }

    [Fact]
    public void TheLinkFollowsTheFarEndAndTrafficResumes()
    {
        using var lab = VethInNamespace.Create();
        Assert.True(lab.Port.LinkUp);

        lab.Namespace.Ip("link", "set", lab.FarInterface, "down");
        lab.WaitForLink(false);
        lab.Namespace.Ip("link", "set", lab.FarInterface, "up");
        lab.WaitForLink(true);

        AssertArpExchangeWorks(lab);
    }

    [Fact]
    public void FramesSentWhileThePortsInterfaceIsDownAreRefusedNotSentLater()
    {
        using var lab = VethInNamespace.Create();
        var request = ArpRequestForKernel();

        HostProcess.RunChecked("ip", "link", "set", lab.Interface, "down");
        lab.WaitForLink(false);
        Assert.Equal(0, lab.Send(request));
        HostProcess.RunChecked("ip", "link", "set", lab.Interface, "up");
        lab.WaitForLink(true);
        long before = lab.Namespace.ReadCounter(lab.FarInterface, "rx_packets");

        AssertArpExchangeWorks(lab);
        Assert.Equal(before + 1, lab.Namespace.ReadCounter(lab.FarInterface, "rx_packets"));
    }

    [Fact]
    public void FramesLargerThanTheFrameCapacityAreDroppedAndCounted()
    {
        using var lab = VethInNamespace.Create(frameCapacity: 256);
        lab.AddPeerNeighbour();

        SendUdpBurst(lab, 1, payload: 1000);
        SendUdpBurst(lab, 1, payload: 100);

        Assert.NotNull(lab.WaitForFrame(f => IsUdpToPeer(f), FrameTimeout));
        Assert.Equal(1, lab.Port.RxOversize);
    }

    /// <summary>A veth takes the 802.1Q tag off a frame it receives into packet metadata; the VM must see it in the frame.</summary>
    [Fact]
    public void AVlanTagTheKernelTookOffIsPutBack()
    {
        using var lab = VethInNamespace.Create();
        string script = "import socket\n" +
                        "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n" +
                        $"s.bind(('{lab.FarInterface}', 0))\n" +
                        "s.send(bytes.fromhex('020000000002' + '020000000001' + '8100' + 'a005' + '88b5') + bytes(range(46)))\n";
        Assert.True(lab.Namespace.Start("/usr/bin/python3", "-c", script).Wait().Succeeded);

        var tagged = lab.WaitForFrame(f => EtherType(f) == 0x8100, FrameTimeout);

        Assert.NotNull(tagged);
        Assert.Equal(18 + 46, tagged.Length);
        Assert.Equal(0xa005, BinaryPrimitives.ReadUInt16BigEndian(tagged.AsSpan(14)));
        Assert.Equal(0x88b5, BinaryPrimitives.ReadUInt16BigEndian(tagged.AsSpan(16)));
        Assert.Equal([0x02, 0, 0, 0, 0, 0x01], SourceMac(tagged));
        Assert.Equal(Enumerable.Range(0, 46).Select(i => (byte)i), tagged.Skip(18));
    }
    /// <summary>
    /// Frames that arrive one per retired block fill the whole ring, and the kernel drops the
    /// rest (counted): reading it must stop at the last block instead of wrapping round to the
    /// first one (its status still says it is ours), which lent its frames twice and then handed
    /// the kernel a block outside the ring (the daemon's AccessViolation under a bond whose backup
    /// member had not been read for a while, when the ring had fewer blocks than a batch).
    /// </summary>
    [Fact]
    public void AFullRingOfSparseFramesIsReadOnceInOrder()
    {
        const int blocks = 256, sent = 3 * blocks; // PacketRxRing.BlockCount
        using var lab = VethInNamespace.Create();
        SendSparse(lab, sent);

        var frames = new Frame[64];
        int first = lab.Port.Receive(frames);
        Assert.InRange(first, 1, frames.Length);
        var numbers = Numbers(frames.AsSpan(0, first));
        numbers.AddRange(ReceiveNumbered(lab));

        Assert.NotEmpty(numbers);
        Assert.Equal(numbers.Order(), numbers);
        Assert.Equal(numbers.Distinct().Count(), numbers.Count);
        Assert.True(lab.Port.RxMissed > 0);
        AssertArpExchangeWorks(lab);
    }

    /// <summary>
    /// A reader held up (a guest taking no frames, a bond's backup member not read) finds a few
    /// hundred sparse frames, each in a block of its own, still in the ring: every one, in order.
    /// </summary>
    [Fact]
    public void AFewHundredSparseFramesWaitInTheRingForAReaderHeldUp()
    {
        const int sent = 250;
        using var lab = VethInNamespace.Create();
        SendSparse(lab, sent);

        Assert.Equal(Enumerable.Range(0, sent).Select(i => (uint)i), ReceiveNumbered(lab));
        Assert.Equal(0, lab.Port.RxMissed);
    }

    /// <summary>Numbered frames (EtherType 0x88B5, the number after the header) out of the namespace, 2 ms apart: twice the ring's retire timeout.</summary>
    private static void SendSparse(VethInNamespace lab, int count)
    {
        string script = "import socket, struct, time\n" +
                        "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\n" +
                        $"s.bind(('{lab.FarInterface}', 0))\n" +
                        $"for i in range({count}):\n" +
                        "    s.send(bytes.fromhex('020000000002' + '020000000001' + '88b5') + struct.pack('!I', i) + bytes(42))\n" +
                        "    time.sleep(0.002)\n";
        Assert.True(lab.Namespace.Start("/usr/bin/python3", "-c", script).Wait().Succeeded);
    }

    /// <summary>The numbers of the numbered frames received until none has come for 200 ms.</summary>
    private static List<uint> ReceiveNumbered(VethInNamespace lab)
    {
        var frames = new Frame[64];
        var numbers = new List<uint>();
        var quietUntil = DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
        while (DateTime.UtcNow < quietUntil)
        {
            var poll = new PollFd { Fd = lab.Port.ReadinessFd, Events = Libc.POLLIN };
            Libc.Poll(&poll, 1, 20);
            int n = lab.Port.Receive(frames);
            if (n == 0) continue;
            numbers.AddRange(Numbers(frames.AsSpan(0, n)));
            quietUntil = DateTime.UtcNow + TimeSpan.FromMilliseconds(200);
        }
        return numbers;
    }

    private static List<uint> Numbers(ReadOnlySpan<Frame> frames)
    {
        var numbers = new List<uint>();
        foreach (var frame in frames)
            if (EtherType(frame.Bytes) == 0x88b5) numbers.Add(BinaryPrimitives.ReadUInt32BigEndian(frame.Bytes[14..]));
        return numbers;
    }

    private static void AssertArpExchangeWorks(VethInNamespace lab)
    {
        Assert.Equal(1, lab.Send(ArpRequestForKernel()));
        Assert.NotNull(lab.WaitForFrame(IsArpAboutPeer(ArpReply), FrameTimeout));
    }

    /// <summary>UDP datagrams from a socket in the namespace to 198.18.0.2:9, payload sizes varying unless <paramref name="payload"/> is given.</summary>
    private static void SendUdpBurst(VethInNamespace lab, int count, int payload = 0)
    {
        string sizes = payload > 0 ? payload.ToString() : "18 + i % 1400";
        string script = "import socket\n" +
                        "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n" +
                        $"for i in range({count}): s.sendto(bytes((i + j) % 256 for j in range({sizes})), ('{VethInNamespace.PeerAddress}', 9))\n";
        var result = lab.Namespace.Start("/usr/bin/python3", "-c", script).Wait();
        Assert.True(result.Succeeded, result.ToString());
    }

    private static bool IsUdpToPeer(ReadOnlySpan<byte> frame) =>
        EtherType(frame) == EtherTypeIpv4 && frame.Length >= 42 && frame[23] == 17
        && frame.Slice(30, 4).SequenceEqual(VethInNamespace.PeerAddress.GetAddressBytes());

    /// <summary>The UDP checksum over the IPv4 pseudo-header sums to all ones (RFC 768).</summary>
    private static bool UdpChecksumIsValid(ReadOnlySpan<byte> frame)
    {
        int udpLength = BinaryPrimitives.ReadUInt16BigEndian(frame[38..]);
        var pseudo = new byte[12 + udpLength];
        frame.Slice(26, 8).CopyTo(pseudo);
        pseudo[9] = 17;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.AsSpan(10), (ushort)udpLength);
        frame.Slice(34, udpLength).CopyTo(pseudo.AsSpan(12));
        return BinaryPrimitives.ReadUInt16BigEndian(frame[40..]) != 0 && InternetChecksum.IsValid(pseudo);
    }

    private static void WaitFor(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + CounterTimeout;
        while (!condition())
        {
            if (DateTime.UtcNow >= deadline) throw new TimeoutException($"no {what} within {CounterTimeout}");
            Thread.Sleep(20);
        }
    }
}
