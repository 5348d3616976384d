using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>Guest TX: chains in every layout the spec allows, copied out without their header.</summary>
public sealed class DequeueTests : QueueFixture
{
    private readonly byte[] _frame = Patterns.Frame(100);

    private void AssertOneFrame(SplitQueue q, ushort head)
    {
        Assert.Equal(1, q.Dequeue(Frames(4)));
        Assert.Null(q.BrokenReason);
        Assert.Equal(_frame, Buffers.Content(0));
        Assert.Equal(1, Driver.UsedIdx);
        Assert.Equal((head, 0u), Driver.Used(0));
        Assert.Equal(1, q.NextAvail);
    }

    [Fact]
    public void Header_and_data_in_one_descriptor()
    {
        var q = Queue();
        AssertOneFrame(q, Driver.PostTx(Header, _frame));
    }

    [Fact]
    public void Evicting_copied_frames_from_the_cache_changes_nothing_the_guest_or_port_sees()
    {
        var q = Queue();
        q.EvictCopiedFrames = true;
        AssertOneFrame(q, Driver.PostTx(Header, _frame));
    }

    [Fact]
    public void Header_in_its_own_descriptor()
    {
        var q = Queue();
        AssertOneFrame(q, Driver.PostTx(Header, _frame, Header));
    }

    [Fact]
    public void Header_split_over_two_descriptors_and_data_over_three()
    {
        var q = Queue();
        AssertOneFrame(q, Driver.PostTx(Header, _frame, 5, 7 + 30, 40));
    }

    [Fact]
    public void Header_sharing_a_descriptor_with_the_start_of_the_data()
    {
        var q = Queue();
        AssertOneFrame(q, Driver.PostTx(Header, _frame, Header + 1, 50));
    }

    [Fact]
    public void Ten_byte_header_without_version_1()
    {
        var q = Queue(Plain with { NetHeaderLength = 10 });
        AssertOneFrame(q, Driver.PostTx(10, _frame, 10));
    }

    [Fact]
    public void Indirect_table()
    {
        var q = Queue(Plain with { IndirectDesc = true });
        var bytes = new byte[Header + _frame.Length];
        _frame.CopyTo(bytes, Header);
        ulong gpa = Driver.Put(bytes);
        ushort head = Driver.PostIndirect(new Buf(gpa, Header), new Buf(gpa + Header, 60), new Buf(gpa + Header + 60, 40));
        AssertOneFrame(q, head);
    }

    [Fact]
    public void Direct_descriptors_followed_by_an_indirect_one()
    {
        var q = Queue(Plain with { IndirectDesc = true });
        var bytes = new byte[Header + _frame.Length];
        _frame.CopyTo(bytes, Header);
        ulong gpa = Driver.Put(bytes);
        ulong table = Driver.Alloc(32);
        Driver.WriteDesc(table, 0, gpa + Header, 50, 1, 1);
        Driver.WriteDesc(table, 1, gpa + Header + 50, 50, 0, 0);
        Driver.WriteDesc(0, gpa, Header, 1, 1);
        Driver.WriteDesc(1, table, 32, 4, 0);
        Driver.PushAvail(0);
        AssertOneFrame(q, 0);
    }

    [Fact]
    public void Data_in_the_second_region()
    {
        var q = Queue();
        var bytes = new byte[Header + _frame.Length];
        _frame.CopyTo(bytes, Header);
        bytes.CopyTo(Ram.Bytes(GuestRam.Region1Gpa + 0x100, bytes.Length));
        AssertOneFrame(q, Driver.Post(new Buf(GuestRam.Region1Gpa + 0x100, (uint)bytes.Length)));
    }

    [Fact]
    public void A_burst_takes_at_most_as_many_chains_as_frames_given()
    {
        var q = Queue();
        for (int i = 0; i < 5; i++) Driver.PostTx(Header, Patterns.Frame(60 + i, seed: i));
        Assert.Equal(5, q.AvailableEntries);

        Assert.Equal(3, q.Dequeue(Frames(3)));
        Assert.Equal(3, Driver.UsedIdx);
        Assert.Equal(2, q.AvailableEntries);
        Assert.True(q.HasAvailable);
        for (int i = 0; i < 3; i++) Assert.Equal(Patterns.Frame(60 + i, seed: i), Buffers.Content(i));

        Assert.Equal(2, q.Dequeue(Frames(8)));
        Assert.Equal(Patterns.Frame(64, seed: 4), Buffers.Content(1));
        Assert.Equal(5, Driver.UsedIdx);
        Assert.Equal(0, q.AvailableEntries);
        Assert.False(q.HasAvailable);
    }

    [Fact]
    public void Nothing_available_returns_zero_and_publishes_nothing()
    {
        var q = Queue();
        Assert.Equal(0, q.Dequeue(Frames(4)));
        Assert.Equal(0, Driver.UsedIdx);
    }

    [Fact]
    public void A_frame_exactly_filling_the_buffer_is_delivered()
    {
        var q = Queue();
        byte[] frame = Patterns.Frame(FrameCapacity);
        Driver.PostTx(Header, frame, Header);
        Assert.Equal(1, q.Dequeue(Frames(1)));
        Assert.Equal(frame, Buffers.Content(0));
        Assert.Equal(0ul, q.OversizeDrops);
    }

    [Fact]
    public void An_oversize_frame_is_consumed_and_counted_without_taking_a_frame_slot()
    {
        var q = Queue();
        ushort big = Driver.PostTx(Header, Patterns.Frame(FrameCapacity + 1), Header, 1000);
        ushort small = Driver.PostTx(Header, _frame);

        Assert.Equal(1, q.Dequeue(Frames(2)));
        Assert.Equal(1ul, q.OversizeDrops);
        Assert.Equal(_frame, Buffers.Content(0));
        Assert.Equal(2, Driver.UsedIdx);
        Assert.Equal((big, 0u), Driver.Used(0));
        Assert.Equal((small, 0u), Driver.Used(1));
        Assert.Null(q.BrokenReason);
    }

    [Fact]
    public void A_chain_of_exactly_the_ring_size_is_fine()
    {
        var q = Queue();
        byte[] frame = Patterns.Frame(RingSize - 1);
        var pieces = new int[RingSize - 1];
        pieces[0] = Header;
        for (int i = 1; i < pieces.Length; i++) pieces[i] = 1;
        Driver.PostTx(Header, frame, pieces);
        Assert.Equal(1, q.Dequeue(Frames(1)));
        Assert.Equal(frame, Buffers.Content(0));
    }

    [Fact]
    public void A_header_only_chain_is_an_empty_frame()
    {
        var q = Queue();
        Driver.PostTx(Header, []);
        Assert.Equal(1, q.Dequeue(Frames(1)));
        Assert.Equal(0, Buffers.Frames[0].Length);
    }

    [Fact]
    public void Zero_length_descriptors_are_skipped_wherever_they_point()
    {
        var q = Queue();
        var bytes = new byte[Header + _frame.Length];
        _frame.CopyTo(bytes, Header);
        ulong gpa = Driver.Put(bytes);
        Driver.Post(new Buf(gpa, Header), new Buf(0xdead_0000_0000, 0), new Buf(gpa + Header, (uint)_frame.Length));
        AssertOneFrame(q, 0);
    }
}
