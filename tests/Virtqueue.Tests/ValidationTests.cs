using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>
/// Malformed rings from a hostile or buggy guest: the queue breaks with a reason naming the
/// queue and the problem, keeps what it finished before, touches no memory it should not, and
/// does nothing more. Each case posts one good chain, then the bad one, then another good one.
/// </summary>
public sealed unsafe class ValidationTests : QueueFixture
{
    private const ushort Next = 1, Write = 2, Indirect = 4;
    private static readonly QueueFeatures WithIndirect = Plain with { IndirectDesc = true };

    private readonly byte[] _frame = Patterns.Frame(64);

    /// <summary>Runs a TX burst around a bad chain built by <paramref name="postBad"/>; returns the reason.</summary>
    private string BreaksTx(Action postBad, QueueFeatures? features = null)
    {
        var q = Queue(features ?? WithIndirect);
        Driver.PostTx(Header, _frame);
        postBad();
        Driver.PostTx(Header, _frame);

        Assert.Equal(1, q.Dequeue(Frames(4)));
        Assert.Equal(1, Driver.UsedIdx);
        Assert.Equal(1, q.NextAvail);
        AssertStaysBroken(q);
        return q.BrokenReason!;
    }

    /// <summary>The same for an RX burst of three frames.</summary>
    private string BreaksRx(Action postBad, QueueFeatures? features = null)
    {
        var q = Queue(features ?? WithIndirect);
        Driver.PostRx(256);
        postBad();
        Driver.PostRx(256);
        for (int i = 0; i < 3; i++) Buffers.Set(i, _frame);

        Assert.Equal(1, q.Enqueue(Frames(3)));
        Assert.Equal(1, Driver.UsedIdx);
        Assert.Equal(1, q.NextAvail);
        AssertStaysBroken(q);
        return q.BrokenReason!;
    }

    private void AssertStaysBroken(SplitQueue q)
    {
        Assert.NotNull(q.BrokenReason);
        Assert.StartsWith("queue 1: ", q.BrokenReason);
        Assert.Equal(0, q.Dequeue(Frames(4)));
        Assert.Equal(0, q.Enqueue(Frames(1)));
        Assert.Equal(0, q.AvailableEntries);
        Assert.Equal(1, Driver.UsedIdx);
    }

    private ulong Data() => Driver.Put(new byte[Header + _frame.Length]);

    [Fact]
    public void Head_index_beyond_the_ring() =>
        Assert.Contains("descriptor 16 is outside its table of 16", BreaksTx(() => Driver.PushAvail(RingSize)));

    [Fact]
    public void Next_index_beyond_the_ring()
    {
        string reason = BreaksTx(() =>
        {
            Driver.WriteDesc(5, Data(), Header, Next, 40);
            Driver.PushAvail(5);
        });
        Assert.Contains("descriptor 40 is outside", reason);
    }

    [Fact]
    public void A_chain_that_loops()
    {
        string reason = BreaksTx(() =>
        {
            ulong gpa = Data();
            Driver.WriteDesc(5, gpa, Header, Next, 6);
            Driver.WriteDesc(6, gpa, 8, Next, 5);
            Driver.PushAvail(5);
        });
        Assert.Contains("loop", reason);
    }

    [Fact]
    public void A_buffer_outside_guest_memory()
    {
        string reason = BreaksTx(() => Driver.Post(new Buf(GuestRam.End + 0x1000, 100)));
        Assert.Contains($"buffer 0x{GuestRam.End + 0x1000:x} length 100 is not in guest memory", reason);
    }

    [Fact]
    public void A_buffer_straddling_two_regions_is_neither_read_nor_written()
    {
        byte* lastOfRegion0 = Ram.At(GuestRam.Region1Gpa - 1), firstOfRegion1 = Ram.At(GuestRam.Region1Gpa);
        *lastOfRegion0 = 0x5a;
        *firstOfRegion1 = 0xa5;
        string reason = BreaksRx(() => Driver.Post(new Buf(GuestRam.Region1Gpa - 40, 200, DeviceWrites: true)));
        Assert.Contains("not in guest memory", reason);
        Assert.Equal(0x5a, *lastOfRegion0);
        Assert.Equal(0xa5, *firstOfRegion1);
    }

    [Fact]
    public void A_buffer_whose_length_wraps_the_address_space()
    {
        string reason = BreaksTx(() => Driver.Post(new Buf(0x8000, uint.MaxValue)));
        Assert.Contains("not in guest memory", reason);
    }

    [Fact]
    public void Indirect_without_the_feature()
    {
        string reason = BreaksTx(() => Driver.PostIndirect(new Buf(Data(), (uint)(Header + _frame.Length))), Plain);
        Assert.Contains("VIRTIO_F_INDIRECT_DESC was not negotiated", reason);
    }

    [Fact]
    public void Indirect_together_with_next()
    {
        string reason = BreaksTx(() =>
        {
            ulong table = Driver.Alloc(16);
            Driver.WriteDesc(table, 0, Data(), Header, 0, 0);
            Driver.WriteDesc(5, table, 16, Indirect | Next, 6);
            Driver.PushAvail(5);
        });
        Assert.Contains("both INDIRECT and NEXT", reason);
    }

    [Fact]
    public void Indirect_inside_an_indirect_table()
    {
        string reason = BreaksTx(() =>
        {
            ulong inner = Driver.Alloc(16), outer = Driver.Alloc(16);
            Driver.WriteDesc(inner, 0, Data(), Header, 0, 0);
            Driver.WriteDesc(outer, 0, inner, 16, Indirect, 0);
            Driver.WriteDesc(5, outer, 16, Indirect, 0);
            Driver.PushAvail(5);
        });
        Assert.Contains("indirect descriptor 0 is indirect inside an indirect table", reason);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(17u)]
    [InlineData(16u * 32769)]
    public void Indirect_tables_of_impossible_length(uint length)
    {
        string reason = BreaksTx(() =>
        {
            Driver.WriteDesc(5, 0x2000, length, Indirect, 0);
            Driver.PushAvail(5);
        });
        Assert.Contains($"indirect table length {length}", reason);
    }

    [Fact]
    public void An_indirect_table_outside_guest_memory()
    {
        string reason = BreaksTx(() =>
        {
            Driver.WriteDesc(5, GuestRam.End - 16, 32, Indirect, 0);
            Driver.PushAvail(5);
        });
        Assert.Contains("not in guest memory", reason);
    }

    [Fact]
    public void A_loop_inside_an_indirect_table()
    {
        string reason = BreaksTx(() =>
        {
            ulong table = Driver.Alloc(32), gpa = Data();
            Driver.WriteDesc(table, 0, gpa, Header, Next, 1);
            Driver.WriteDesc(table, 1, gpa, 4, Next, 0);
            Driver.WriteDesc(5, table, 32, Indirect, 0);
            Driver.PushAvail(5);
        });
        Assert.Contains("indirect descriptor 0: chain longer than its table of 2 (a loop)", reason);
    }

    [Fact]
    public void A_next_index_beyond_an_indirect_table()
    {
        string reason = BreaksTx(() =>
        {
            ulong table = Driver.Alloc(32);
            Driver.WriteDesc(table, 0, Data(), Header, Next, 2);
            Driver.WriteDesc(5, table, 32, Indirect, 0);
            Driver.PushAvail(5);
        });
        Assert.Contains("indirect descriptor 2 is outside its table of 2", reason);
    }

    [Fact]
    public void A_device_writable_buffer_in_a_transmit_chain()
    {
        string reason = BreaksTx(() =>
        {
            ulong gpa = Data();
            Driver.Post(new Buf(gpa, Header), new Buf(gpa + Header, 64, DeviceWrites: true));
        });
        Assert.Contains("device-writable in a transmit chain", reason);
    }

    [Fact]
    public void A_device_readable_buffer_in_a_receive_chain()
    {
        string reason = BreaksRx(() =>
        {
            ulong gpa = Driver.Alloc(512);
            Driver.Post(new Buf(gpa, 256, DeviceWrites: true), new Buf(gpa + 256, 256));
        });
        Assert.Contains("device-readable in a receive chain", reason);
    }

    [Fact]
    public void A_device_readable_buffer_in_an_indirect_receive_table()
    {
        string reason = BreaksRx(() => Driver.PostIndirect(new Buf(Driver.Alloc(256), 256)));
        Assert.Contains("indirect descriptor 0 is device-readable", reason);
    }

    [Fact]
    public void A_transmit_chain_shorter_than_the_header()
    {
        string reason = BreaksTx(() => Driver.Post(new Buf(Data(), 4), new Buf(Data(), 7)));
        Assert.Contains("shorter than the 12-byte virtio-net header", reason);
    }

    [Fact]
    public void An_avail_index_more_than_a_ring_ahead()
    {
        var q = Queue();
        Driver.PostTx(Header, _frame);
        Driver.AvailIdx = RingSize + 1;
        Assert.Equal(RingSize + 1, q.AvailableEntries);
        Assert.Equal(0, q.Dequeue(Frames(4)));
        Assert.Contains("queue 1: avail index jumped from 0 to 17", q.BrokenReason);
        Assert.Equal(0, Driver.UsedIdx);
        Assert.Equal(0, q.AvailableEntries);
    }

    [Fact]
    public void A_whole_ring_ahead_is_not_a_jump()
    {
        var q = Queue();
        for (int i = 0; i < RingSize; i++) Driver.PostTx(Header, _frame);
        Assert.Equal(RingSize, q.AvailableEntries);
        Assert.Equal(8, q.Dequeue(Frames(8)));
        Assert.Null(q.BrokenReason);
    }

    [Fact]
    public void A_malformed_chain_in_a_merged_frame_gives_back_the_frame_s_chains()
    {
        var q = Queue(WithIndirect with { Mergeable = true });
        Driver.PostRx(100);
        Driver.PostRx(100);
        Driver.Post(new Buf(GuestRam.End, 100, DeviceWrites: true));
        Buffers.Set(0, Patterns.Frame(50));
        Buffers.Set(1, Patterns.Frame(150));

        Assert.Equal(1, q.Enqueue(Frames(2)));
        Assert.Contains("not in guest memory", q.BrokenReason);
        Assert.Equal(1, Driver.UsedIdx);
        Assert.Equal(1, q.NextAvail);
    }

    [Fact]
    public void Stopping_the_ring_clears_the_broken_state_for_a_fresh_start()
    {
        var q = Queue();
        Driver.PushAvail(RingSize);
        q.Dequeue(Frames(1));
        Assert.NotNull(q.BrokenReason);

        q.Detach();
        Assert.Null(q.BrokenReason);
        Assert.True(q.Attach(Ram.Memory, out _));
        q.NextAvail = Driver.AvailIdx;
        Driver.PostTx(Header, _frame);
        Assert.Equal(1, q.Dequeue(Frames(1)));
    }
}
