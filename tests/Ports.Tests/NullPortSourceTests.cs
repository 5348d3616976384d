using System.Buffers.Binary;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Tests.Support;

namespace VirtioForwarder.Ports.Tests;

public unsafe class NullPortSourceTests
{
    private static readonly byte[] SourceMac = [0x02, 0, 0, 0, 0, 0x01], DestinationMac = [0x02, 0, 0, 0, 0, 0x02];
    private static readonly byte[] SourceIp = [198, 18, 0, 1], DestinationIp = [198, 18, 0, 2];

    private static NullPort OpenSource(int size) => (NullPort)PortFactory.Open(PortSpec.Parse($"null:{size}"));

    [Theory]
    [InlineData(42)]
    [InlineData(60)]
    [InlineData(64)]
    [InlineData(1518)]
    [InlineData(2304)]
    public void FramesAreUdpOfExactlyTheSize(int size)
    {
        using var port = OpenSource(size);
        var frames = new Frame[16];
        Assert.Equal(16, port.Receive(frames));
        foreach (var frame in frames)
        {
            Assert.Equal(size, frame.Length);
            Assert.Equal(PortFactory.DefaultFrameCapacity, frame.Capacity);
            var bytes = frame.Bytes;
            Assert.Equal(DestinationMac, bytes[..6].ToArray());
            Assert.Equal(SourceMac, bytes[6..12].ToArray());
            Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(bytes[12..]));

            var ip = bytes.Slice(14, 20);
            Assert.Equal(0x45, ip[0]);
            Assert.Equal(size - 14, BinaryPrimitives.ReadUInt16BigEndian(ip[2..]));
            Assert.True(ip[8] > 0, "TTL");
            Assert.Equal(17, ip[9]);
            Assert.Equal(SourceIp, ip[12..16].ToArray());
            Assert.Equal(DestinationIp, ip[16..20].ToArray());
            Assert.True(InternetChecksum.IsValid(ip), "IPv4 header checksum");

            var udp = bytes.Slice(34, 8);
            Assert.Equal(9, BinaryPrimitives.ReadUInt16BigEndian(udp));
            Assert.Equal(9, BinaryPrimitives.ReadUInt16BigEndian(udp[2..]));
            Assert.Equal(size - 34, BinaryPrimitives.ReadUInt16BigEndian(udp[4..]));
            Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(udp[6..]));
        }
    }

    [Theory]
    [InlineData(14)]
    [InlineData(20)]
    [InlineData(34)]
    [InlineData(41)]
    public void SmallFramesAreTruncatedHeaders(int size)
    {
        using var port = OpenSource(size);
        using var full = OpenSource(64);
        var frames = new Frame[1];
        var fullFrames = new Frame[1];
        Assert.Equal(1, port.Receive(frames));
        Assert.Equal(1, full.Receive(fullFrames));
        Assert.Equal(size, frames[0].Length);
        Assert.Equal(0x0800, BinaryPrimitives.ReadUInt16BigEndian(frames[0].Bytes[12..]));
        // Same headers as a 42-byte frame would carry, cut short: compare with a full frame's
        // first bytes, leaving out the lengths and the checksum that depend on the size.
        var expected = fullFrames[0].Bytes[..size].ToArray();
        var actual = frames[0].Bytes.ToArray();
        foreach (int sizeDependent in (int[])[16, 17, 24, 25, 38, 39])
            if (sizeDependent < size) expected[sizeDependent] = actual[sizeDependent] = 0;
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void EveryReceiveRefillsItsBuffers()
    {
        using var port = OpenSource(64);
        var frames = new Frame[4];
        port.Receive(frames);
        var template = frames[0].Bytes.ToArray();
        foreach (var frame in frames) frame.Bytes.Clear();
        Assert.Equal(4, port.Receive(frames));
        foreach (var frame in frames) Assert.Equal(template, frame.Bytes.ToArray());
    }

    [Fact]
    public void ReceivesAtMostItsPoolAndStillSinks()
    {
        using var port = OpenSource(64);
        Assert.Equal(64, port.Receive(new Frame[100]));
        Assert.Equal(-1, port.ReadinessFd);
        var frames = new Frame[4];
        Assert.Equal(4, port.AcquireTx(frames));
        frames[0].Length = 100;
        Assert.Equal(1, port.Transmit(frames, 1));
        Assert.Equal(100, port.TxBytes);
    }

    [Fact]
    public void ReceivedAndLentBuffersAreDistinct()
    {
        using var port = OpenSource(64);
        var received = new Frame[64];
        var lent = new Frame[64];
        port.Receive(received);
        port.AcquireTx(lent);
        var receivedStarts = received.Select(f => (nint)f.Data).ToHashSet();
        Assert.DoesNotContain(lent, f => receivedStarts.Contains((nint)f.Data));
    }

    [Fact]
    public void EachOfSeveralQueuesSourcesAndSinksOnItsOwnBuffers()
    {
        using var port = (NullPort)PortFactory.Open(PortSpec.Parse("null:64/2"));
        Assert.Equal(2, port.Queues.Count);
        var starts = new HashSet<nint>();
        foreach (var queue in port.Queues)
        {
            var frames = new Frame[8];
            Assert.Equal(8, queue.Receive(frames));
            Assert.All(frames, f => Assert.Equal(64, f.Length));
            Assert.All(frames, f => Assert.True(starts.Add((nint)f.Data), "a buffer shared between queues"));
            Assert.Equal(8, queue.AcquireTx(frames));
            frames[0].Length = 100;
            Assert.Equal(1, queue.Transmit(frames, 1));
        }
        Assert.Equal((2, 200), (port.TxPackets, port.TxBytes));
    }

    [Fact]
    public void OneQueueIsThePortItself()
    {
        using var port = PortFactory.Open(PortSpec.Parse("null:64/1"));
        Assert.Empty(port.Queues);
    }
}
