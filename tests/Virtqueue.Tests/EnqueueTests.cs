using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>Guest RX: header and frame into the guest's buffers, whole or merged (§5.1.6.4).</summary>
public sealed class EnqueueTests : QueueFixture
{
    private static readonly QueueFeatures Mergeable = Plain with { Mergeable = true };

    /// <summary>A 12-byte header with no offloads and the given num_buffers.</summary>
    private static byte[] HeaderWith(ushort numBuffers) => [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte)numBuffers, (byte)(numBuffers >> 8)];

    private byte[] Received(ulong gpa, int length) => Ram.Bytes(gpa, length).ToArray();

    [Fact]
    public void A_frame_lands_after_a_header_with_num_buffers_1()
    {
        var q = Queue();
        ulong buffer = Driver.PostRx(2048);
        byte[] frame = Patterns.Frame(300);
        Buffers.Set(0, frame);

        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal(1, Driver.UsedIdx);
        Assert.Equal((0u, (uint)(Header + 300)), Driver.Used(0));
        Assert.Equal(HeaderWith(1), Received(buffer, Header));
        Assert.Equal(frame, Received(buffer + Header, 300));
    }

    [Fact]
    public void A_ten_byte_header_is_all_zero()
    {
        var q = Queue(Plain with { NetHeaderLength = 10 });
        ulong buffer = Driver.PostRx(2048);
        Ram.Bytes(buffer, 10).Fill(0xff);
        byte[] frame = Patterns.Frame(60);
        Buffers.Set(0, frame);

        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal((0u, 70u), Driver.Used(0));
        Assert.Equal(new byte[10], Received(buffer, 10));
        Assert.Equal(frame, Received(buffer + 10, 60));
    }

    [Fact]
    public void Header_and_frame_spread_over_a_chain()
    {
        var q = Queue();
        ulong a = Driver.Alloc(5), b = Driver.Alloc(100), c = Driver.Alloc(1000);
        Driver.Post(new Buf(a, 5, true), new Buf(b, 100, true), new Buf(c, 1000, true));
        byte[] frame = Patterns.Frame(500);
        Buffers.Set(0, frame);

        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal((0u, (uint)(Header + 500)), Driver.Used(0));
        byte[] stream = [.. Received(a, 5), .. Received(b, 100), .. Received(c, 1000)];
        Assert.Equal([.. HeaderWith(1), .. frame], stream[..(Header + 500)]);
    }

    [Fact]
    public void Indirect_receive_buffers()
    {
        var q = Queue(Plain with { IndirectDesc = true });
        ulong a = Driver.Alloc(Header), b = Driver.Alloc(1500);
        Driver.PostIndirect(new Buf(a, Header, true), new Buf(b, 1500, true));
        byte[] frame = Patterns.Frame(1500);
        Buffers.Set(0, frame);

        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal((0u, (uint)(Header + 1500)), Driver.Used(0));
        Assert.Equal(frame, Received(b, 1500));
    }

    [Fact]
    public void Several_frames_in_one_burst_publish_the_used_index_once()
    {
        var q = Queue();
        for (int i = 0; i < 3; i++) Driver.PostRx(2048);
        for (int i = 0; i < 3; i++) Buffers.Set(i, Patterns.Frame(100 + i, seed: i));

        Assert.Equal(3, q.Enqueue(Frames(3)));
        Assert.Equal(3, Driver.UsedIdx);
        for (ushort i = 0; i < 3; i++) Assert.Equal((i, (uint)(Header + 100 + i)), Driver.Used(i));
    }

    [Fact]
    public void Frames_beyond_the_available_buffers_are_not_taken()
    {
        var q = Queue();
        Driver.PostRx(2048);
        Driver.PostRx(2048);
        for (int i = 0; i < 4; i++) Buffers.Set(i, Patterns.Frame(100));

        Assert.Equal(2, q.Enqueue(Frames(4)));
        Assert.Equal(2, Driver.UsedIdx);
        Assert.Equal(0, q.Enqueue(Frames(4)));
        Assert.Equal(2, Driver.UsedIdx);
    }

    [Fact]
    public void A_buffer_too_small_for_a_whole_frame_is_returned_empty_and_the_frame_dropped()
    {
        var q = Queue();
        Driver.PostRx(100);
        ulong second = Driver.PostRx(2048);
        Buffers.Set(0, Patterns.Frame(200));
        Buffers.Set(1, Patterns.Frame(50, seed: 9));

        Assert.Equal(2, q.Enqueue(Frames(2)));
        Assert.Equal(1ul, q.RxBufferTooSmallDrops);
        Assert.Equal((0u, 0u), Driver.Used(0));
        Assert.Equal((1u, (uint)(Header + 50)), Driver.Used(1));
        Assert.Equal(Patterns.Frame(50, seed: 9), Received(second + Header, 50));
        Assert.Null(q.BrokenReason);
    }

    [Fact]
    public void A_merged_frame_spans_chains_with_num_buffers_and_per_chain_lengths()
    {
        var q = Queue(Mergeable);
        ulong[] buffers = [Driver.PostRx(1024), Driver.PostRx(1024), Driver.PostRx(1024), Driver.PostRx(1024)];
        byte[] frame = Patterns.Frame(3000);
        Buffers.Set(0, frame);

        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal(3, Driver.UsedIdx);
        Assert.Equal((0u, 1024u), Driver.Used(0));
        Assert.Equal((1u, 1024u), Driver.Used(1));
        Assert.Equal((2u, (uint)(Header + 3000 - 2048)), Driver.Used(2));
        Assert.Equal(HeaderWith(3), Received(buffers[0], Header));
        byte[] data = [.. Received(buffers[0] + Header, 1024 - Header), .. Received(buffers[1], 1024), .. Received(buffers[2], 3000 - 2048 + Header)];
        Assert.Equal(frame, data);
        Assert.Equal(1, q.AvailableEntries);
    }

    [Fact]
    public void A_merged_frame_that_fits_one_chain_says_num_buffers_1()
    {
        var q = Queue(Mergeable);
        ulong buffer = Driver.PostRx(1024);
        Buffers.Set(0, Patterns.Frame(500));
        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal(HeaderWith(1), Received(buffer, Header));
        Assert.Equal((0u, (uint)(Header + 500)), Driver.Used(0));
    }

    [Fact]
    public void Num_buffers_is_set_even_when_the_header_is_split_across_descriptors()
    {
        var q = Queue(Mergeable);
        ulong a = Driver.Alloc(11), b = Driver.Alloc(100);
        Driver.Post(new Buf(a, 11, true), new Buf(b, 100, true));
        Driver.PostRx(1024);
        Buffers.Set(0, Patterns.Frame(500));

        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal((0u, 111u), Driver.Used(0));
        Assert.Equal((2u, (uint)(Header + 500 - 111)), Driver.Used(1));
        Assert.Equal(2, Received(a, 11)[10]);
        Assert.Equal(0, Received(b, 1)[0]);
    }

    [Fact]
    public void When_chains_run_out_midway_the_frame_is_rolled_back_and_the_burst_ends()
    {
        var q = Queue(Mergeable);
        Driver.PostRx(1024);
        ulong second = Driver.PostRx(1024);
        Buffers.Set(0, Patterns.Frame(100));
        Buffers.Set(1, Patterns.Frame(3000));
        Buffers.Set(2, Patterns.Frame(50));

        Assert.Equal(1, q.Enqueue(Frames(3)));
        Assert.Equal(1, Driver.UsedIdx);
        Assert.Equal(1, q.NextAvail);
        Assert.Equal(1, q.AvailableEntries);
        Assert.Null(q.BrokenReason);

        // The chain given back starts the same frame once the guest posts more room.
        Driver.PostRx(4096);
        Assert.Equal(1, q.Enqueue(Frames(3)[1..]));
        Assert.Equal(3, Driver.UsedIdx);
        Assert.Equal((1u, 1024u), Driver.Used(1));
        Assert.Equal((2u, (uint)(Header + 3000 - 1024)), Driver.Used(2));
        Assert.Equal(HeaderWith(2), Received(second, Header));
    }

    [Fact]
    public void An_empty_batch_publishes_nothing()
    {
        var q = Queue();
        Driver.PostRx(1024);
        Assert.Equal(0, q.Enqueue(Frames(0)));
        Assert.Equal(0, Driver.UsedIdx);
        Assert.Equal(1, q.AvailableEntries);
    }
}
