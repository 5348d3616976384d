using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests.Packed;

/// <summary>
/// Malformed packed rings: the queue breaks with a reason, returns what it finished before the
/// bad chain and nothing after, and stays broken. Each case posts a good chain, the bad one, then
/// another good one.
/// </summary>
public sealed class PackedValidationTests : PackedFixture
{
    private readonly byte[] _frame = Patterns.Frame(64);

    private string BreaksTx(Action postBad, QueueFeatures? features = null)
    {
        var q = PackedQueue(features ?? Plain with { IndirectDesc = true });
        Packed.PostTx(Header, _frame);
        postBad();
        Packed.PostTx(Header, _frame);

        Assert.Equal(1, q.Dequeue(Frames(4)));
        Assert.Single(Packed.TakeUsed());
        Assert.NotNull(q.BrokenReason);
        Assert.StartsWith("queue 1: ", q.BrokenReason);
        Assert.Equal(0, q.Dequeue(Frames(4)));
        Assert.Equal(0, q.AvailableEntries);
        Assert.False(q.HasAvailable);
        Assert.Empty(Packed.TakeUsed());
        return q.BrokenReason!;
    }

    private ulong Data() => Packed.Put(new byte[Header + _frame.Length]);

    [Fact]
    public void A_chain_longer_than_the_ring_loops()
    {
        var q = PackedQueue();
        for (int i = 0; i < RingSize; i++) Packed.PostRaw(Data(), 76, 9, PackedDriver.Next);
        Assert.Equal(0, q.Dequeue(Frames(4)));
        Assert.Contains("a loop", q.BrokenReason);
        Assert.Empty(Packed.TakeUsed());
    }

    [Fact]
    public void A_buffer_outside_guest_memory() =>
        Assert.Contains("is not in guest memory", BreaksTx(() => Packed.PostRaw(GuestRam.End - 8, 76, 9, 0)));

    [Fact]
    public void A_device_writable_buffer_in_a_transmit_chain() =>
        Assert.Contains("device-writable in a transmit chain", BreaksTx(() => Packed.PostRaw(Data(), 76, 9, PackedDriver.Write)));

    [Fact]
    public void An_indirect_descriptor_without_the_feature() =>
        Assert.Contains("VIRTIO_F_INDIRECT_DESC was not negotiated", BreaksTx(() => Packed.PostRaw(Data(), 16, 9, PackedDriver.Indirect), Plain));

    [Fact]
    public void An_indirect_descriptor_with_next() =>
        Assert.Contains("both INDIRECT and NEXT", BreaksTx(() => Packed.PostRaw(Data(), 16, 9, PackedDriver.Indirect | PackedDriver.Next)));

    [Fact]
    public void An_indirect_table_of_a_bad_length() =>
        Assert.Contains("indirect table length 20", BreaksTx(() => Packed.PostRaw(Data(), 20, 9, PackedDriver.Indirect)));

    [Fact]
    public void A_transmit_chain_shorter_than_the_header() =>
        Assert.Contains("shorter than the 12-byte", BreaksTx(() => Packed.PostRaw(Data(), 4, 9, 0)));

    [Fact]
    public void A_device_readable_buffer_in_a_receive_chain_breaks_receiving()
    {
        var q = PackedQueue();
        Packed.PostRx(256);
        Packed.PostRaw(Data(), 256, 9, 0);
        Buffers.Set(0, _frame);
        Buffers.Set(1, _frame);

        Assert.Equal(1, q.Enqueue(Frames(2)));
        Assert.Single(Packed.TakeUsed());
        Assert.Contains("device-readable in a receive chain", q.BrokenReason);
    }

    [Fact]
    public void Descriptors_the_driver_has_not_made_available_are_not_taken()
    {
        var q = PackedQueue();
        // Flags of the previous lap: AVAIL and USED both set, i.e. used, under wrap counter 1.
        Packed.WriteDesc(0, Data(), 76, 0, PackedDriver.Avail | PackedDriver.Used);
        Assert.Equal(0, q.AvailableEntries);
        Assert.Equal(0, q.Dequeue(Frames(4)));
        Assert.Null(q.BrokenReason);
    }
}
