using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests.Packed;

/// <summary>Frames through a packed ring both ways (§2.8): chains, indirect tables, used descriptors, wrap counters.</summary>
public sealed class PackedDataPathTests : PackedFixture
{
    private static readonly QueueFeatures Mergeable = Plain with { Mergeable = true };

    [Fact]
    public void Transmit_chains_come_back_as_one_used_descriptor_each_with_the_last_descriptors_id()
    {
        var q = PackedQueue(Plain with { IndirectDesc = true });
        byte[] a = Patterns.Frame(60, seed: 1), b = Patterns.Frame(1500, seed: 2), c = Patterns.Frame(300, seed: 3);
        ushort idA = Packed.PostTx(Header, a);
        ushort idB = Packed.PostTx(Header, b, Header, 700);   // header alone, then two pieces
        ulong data = Packed.Put([.. new byte[Header], .. c]);
        ushort idC = Packed.PostIndirect(new Buf(data, 100), new Buf(data + 100, (uint)(Header + c.Length - 100)));

        Assert.Equal(3, q.AvailableEntries);
        Assert.True(q.HasAvailable);
        Assert.Equal(3, q.Dequeue(Frames(8)));
        Assert.Equal(a, Buffers.Content(0));
        Assert.Equal(b, Buffers.Content(1));
        Assert.Equal(c, Buffers.Content(2));
        Assert.Equal([(idA, 0u, PackedDriver.Avail | PackedDriver.Used), (idB, 0u, PackedDriver.Avail | PackedDriver.Used), (idC, 0u, PackedDriver.Avail | PackedDriver.Used)], Packed.TakeUsed());
        Assert.Equal(Packed.Base, q.NextAvail);
        Assert.Equal(0, q.AvailableEntries);
        Assert.False(q.HasAvailable);
    }

    [Fact]
    public void A_received_frame_is_returned_with_its_length_and_the_write_flag()
    {
        var q = PackedQueue();
        ulong buffer = Packed.PostRx(2048);
        byte[] frame = Patterns.Frame(300);
        Buffers.Set(0, frame);

        Assert.Equal(1, q.Enqueue(Frames(1)));
        var used = Assert.Single(Packed.TakeUsed());
        Assert.Equal((0, (uint)(Header + 300), (ushort)(PackedDriver.Avail | PackedDriver.Used | PackedDriver.Write)), used);
        Assert.Equal(HeaderWith(1), Ram.Bytes(buffer, Header).ToArray());
        Assert.Equal(frame, Ram.Bytes(buffer + Header, 300).ToArray());
    }

    [Fact]
    public void Without_mergeable_buffers_a_frame_too_big_for_its_chain_is_dropped_and_counted()
    {
        var q = PackedQueue();
        Packed.PostRx(100);
        Packed.PostRx(2048);
        Buffers.Set(0, Patterns.Frame(500));
        Buffers.Set(1, Patterns.Frame(500));

        Assert.Equal(2, q.Enqueue(Frames(2)));
        Assert.Equal(1ul, q.RxBufferTooSmallDrops);
        Assert.Equal([(0, 0u, (ushort)(PackedDriver.Avail | PackedDriver.Used)), (1, (uint)(Header + 500), (ushort)(PackedDriver.Avail | PackedDriver.Used | PackedDriver.Write))], Packed.TakeUsed());
    }

    [Fact]
    public void A_merged_frame_takes_several_chains_and_says_so_in_num_buffers()
    {
        var q = PackedQueue(Mergeable);
        ulong first = Packed.PostRx(1024);
        Packed.PostRx(1024);
        Packed.PostRx(1024);
        Buffers.Set(0, Patterns.Frame(2500));

        Assert.Equal(1, q.Enqueue(Frames(1)));
        var used = Packed.TakeUsed();
        Assert.Equal([1024u, 1024u, (uint)(Header + 2500 - 2048)], used.Select(u => u.Length));
        Assert.Equal(HeaderWith(3), Ram.Bytes(first, Header).ToArray());
    }

    [Fact]
    public void A_merged_frame_without_enough_chains_leaves_them_available()
    {
        var q = PackedQueue(Mergeable);
        Packed.PostRx(1024);
        Packed.PostRx(1024);
        Buffers.Set(0, Patterns.Frame(5000));

        Assert.Equal(0, q.Enqueue(Frames(1)));
        Assert.Empty(Packed.TakeUsed());
        Assert.Equal(2, q.AvailableEntries);
        Assert.Equal((ushort)0x8000, q.NextAvail);
    }

    [Fact]
    public void Chains_and_used_descriptors_wrap_around_the_ring_and_flip_the_wrap_counters()
    {
        Packed.Skip(RingSize - 1);
        var q = PackedQueue();
        Assert.Equal((ushort)(0x8000 | (RingSize - 1)), q.NextAvail);
        byte[] frame = Patterns.Frame(200);
        ushort id = Packed.PostTx(Header, frame, 50, 60);   // three descriptors: slots 15, 0, 1
        Packed.PostTx(Header, frame);

        Assert.Equal(2, q.Dequeue(Frames(4)));
        Assert.Equal(frame, Buffers.Content(0));
        Assert.Equal(frame, Buffers.Content(1));
        var used = Packed.TakeUsed();
        Assert.Equal(2, used.Count);
        Assert.Equal(id, used[0].Id);
        // The second used descriptor is written in the new lap, with both flags clear.
        Assert.Equal(0, used[1].Flags);
        Assert.Equal((ushort)3, q.NextAvail);   // slot 3, wrap counter 0
    }

    [Fact]
    public void A_ring_resumes_from_SET_VRING_BASE_in_the_second_lap()
    {
        Packed.Skip(RingSize + 5);
        var q = PackedQueue();
        Assert.Equal((ushort)5, q.NextAvail);
        Packed.PostRx(2048);
        Buffers.Set(0, Patterns.Frame(64));
        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Single(Packed.TakeUsed());
    }

    [Fact]
    public void A_base_outside_the_ring_is_refused()
    {
        var q = Own(new PackedQueue(3) { Size = RingSize, Addresses = Packed.Addresses(), NextAvail = RingSize + 1, Enabled = true });
        Assert.False(q.Attach(Ram.Memory, out string? error));
        Assert.Contains("outside the ring", error);
    }

    [Fact]
    public void Available_entries_counts_chains_not_descriptors()
    {
        var q = PackedQueue();
        Packed.PostTx(Header, Patterns.Frame(100), 20, 20);
        Packed.PostTx(Header, Patterns.Frame(100));
        Assert.Equal(2, q.AvailableEntries);
    }
}
