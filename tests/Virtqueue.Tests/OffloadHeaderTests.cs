using VirtioForwarder.Platform;
using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>
/// The virtio-net header's offload fields cross with the frame (virtio 1.2 §5.1.6): from the
/// guest's transmit chain into <see cref="Frame.Offload"/>, and from it into the guest's receive
/// buffer, little-endian, with num_buffers after them.
/// </summary>
public sealed class OffloadHeaderTests : QueueFixture
{
    private static readonly QueueFeatures WithOffloads = Plain with { HostOffloads = true };

    // NEEDS_CSUM, GSO_TCPV4, hdr_len 66, gso_size 1448, csum_start 34, csum_offset 16, num_buffers 0.
    private static readonly byte[] TcpV4Header = [1, 1, 66, 0, 0xa8, 0x05, 34, 0, 16, 0, 0, 0];

    private static readonly VirtioNetHeader TcpV4 = new()
    {
        Flags = VirtioNetHeader.NeedsChecksum, GsoType = VirtioNetHeader.GsoTcpV4,
        HeaderLength = 66, GsoSize = 1448, ChecksumStart = 34, ChecksumOffset = 16,
    };

    private ushort PostWithHeader(byte[] header, byte[] frame, params int[] pieces)
    {
        byte[] bytes = [.. header, .. frame];
        return Driver.Post(TxChain.Cut(Driver.Put(bytes), bytes.Length, pieces));
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 3, 4 })]
    [InlineData(new[] { 12 })]
    [InlineData(new[] { 9, 40 })]
    public void A_transmitted_frame_keeps_its_header_however_the_chain_is_cut(int[] pieces)
    {
        var q = Queue(WithOffloads);
        byte[] frame = Patterns.Frame(200);
        PostWithHeader(TcpV4Header, frame, pieces);

        Assert.Equal(1, q.Dequeue(Frames(1)));

        Assert.Equal(TcpV4, Buffers.Frames[0].Offload);
        Assert.Equal(frame, Buffers.Content(0));
    }

    [Fact]
    public void Without_offloads_negotiated_the_header_says_nothing()
    {
        var q = Queue();
        PostWithHeader(TcpV4Header, Patterns.Frame(100));

        Assert.Equal(1, q.Dequeue(Frames(1)));

        Assert.True(Buffers.Frames[0].Offload.IsPlain);
    }

    [Fact]
    public void A_received_frame_brings_its_header_into_the_guest()
    {
        var q = Queue();
        ulong buffer = Driver.PostRx(2048);
        byte[] frame = Patterns.Frame(300);
        Buffers.Set(0, frame);
        Buffers.Frames[0].Offload = new VirtioNetHeader
        {
            Flags = VirtioNetHeader.NeedsChecksum, GsoType = VirtioNetHeader.GsoTcpV6 | VirtioNetHeader.GsoEcn,
            HeaderLength = 0x104, GsoSize = 1428, ChecksumStart = 54, ChecksumOffset = 16,
        };

        Assert.Equal(1, q.Enqueue(Frames(1)));

        Assert.Equal([1, 0x84, 0x04, 0x01, 0x94, 0x05, 54, 0, 16, 0, 1, 0], Ram.Bytes(buffer, Header).ToArray());
        Assert.Equal(frame, Ram.Bytes(buffer + Header, 300).ToArray());
    }

    [Fact]
    public void The_header_reads_and_writes_as_the_wire_has_it()
    {
        var wire = new byte[VirtioNetHeader.Size];
        TcpV4.Write(wire);

        Assert.Equal(TcpV4Header[..VirtioNetHeader.Size], wire);
        Assert.Equal(TcpV4, VirtioNetHeader.Read(wire));
    }
}
