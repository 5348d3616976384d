using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>Used buffer notifications and their suppression in both directions (§2.7.10), through a real eventfd.</summary>
public sealed class NotificationTests : QueueFixture
{
    private static readonly QueueFeatures EventIdx = Plain with { EventIdx = true };

    private void PostTx(int count)
    {
        for (int i = 0; i < count; i++) Driver.PostTx(Header, Patterns.Frame(60));
    }

    [Fact]
    public void Without_event_idx_the_guest_is_called_unless_it_set_no_interrupt()
    {
        var q = QueueWithCall(Plain, out var call);
        PostTx(1);
        Assert.Equal(1, q.Dequeue(Frames(4)));
        Assert.Equal(1ul, call.Drain());

        Driver.AvailFlags = 1;
        PostTx(2);
        Assert.Equal(2, q.Dequeue(Frames(4)));
        Assert.Equal(0ul, call.Drain());
    }

    [Fact]
    public void One_call_per_burst()
    {
        var q = QueueWithCall(Plain, out var call);
        PostTx(3);
        Assert.Equal(3, q.Dequeue(Frames(4)));
        Assert.Equal(1ul, call.Drain());
    }

    [Fact]
    public void No_call_when_nothing_was_used()
    {
        var q = QueueWithCall(Plain, out var call);
        Assert.Equal(0, q.Dequeue(Frames(4)));
        Buffers.Set(0, Patterns.Frame(10));
        Assert.Equal(0, q.Enqueue(Frames(1)));
        Assert.Equal(0ul, call.Drain());
    }

    [Theory]
    [InlineData(0, 1, 0, true)]      // the event is the first entry used: passed
    [InlineData(0, 1, 1, false)]     // the event is the entry after: not yet
    [InlineData(0, 3, 2, true)]      // passed in the middle of the burst
    [InlineData(0, 3, 3, false)]
    [InlineData(5, 3, 4, false)]     // an event behind the old index was already passed
    [InlineData(65534, 4, 65535, true)]  // across the 16-bit wrap
    [InlineData(65534, 4, 1, true)]
    [InlineData(65534, 4, 2, false)]
    public void With_event_idx_the_guest_is_called_when_the_used_index_passes_used_event(int start, int count, int usedEvent, bool called)
    {
        StartAt((ushort)start);
        var q = QueueWithCall(EventIdx, out var call);
        Driver.UsedEvent = (ushort)usedEvent;
        Driver.AvailFlags = 1; // ignored with EVENT_IDX
        PostTx(count);

        Assert.Equal(count, q.Dequeue(Frames(8)));
        Assert.Equal(called, call.Drain() != 0);
    }

    [Fact]
    public void Receiving_calls_the_guest_too()
    {
        var q = QueueWithCall(Plain, out var call);
        Driver.PostRx(2048);
        Buffers.Set(0, Patterns.Frame(100));
        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal(1ul, call.Drain());
    }

    [Fact]
    public void Without_a_call_fd_nothing_is_signalled_and_nothing_fails()
    {
        var q = Queue();
        PostTx(1);
        Assert.Equal(1, q.Dequeue(Frames(1)));
        Assert.Equal(1, Driver.UsedIdx);
    }

    [Fact]
    public void Without_event_idx_kicks_are_turned_off_and_on_with_no_notify()
    {
        var q = Queue();
        Driver.UsedFlags = 0x8000;
        q.SetKickWanted(false);
        Assert.Equal(0x8001, Driver.UsedFlags);
        q.SetKickWanted(true);
        Assert.Equal(0x8000, Driver.UsedFlags);
        Assert.Equal(0, Driver.AvailEvent);
    }

    [Fact]
    public void With_event_idx_wanting_kicks_asks_for_one_at_the_next_avail_index()
    {
        var q = Queue(EventIdx);
        PostTx(3);
        q.Dequeue(Frames(8));
        Driver.AvailEvent = 1;

        q.SetKickWanted(true);
        Assert.Equal(3, Driver.AvailEvent);
        Assert.Equal(0, Driver.UsedFlags);

        PostTx(2);
        q.Dequeue(Frames(8));
        q.SetKickWanted(false);
        Assert.Equal(3, Driver.AvailEvent);
        Assert.Equal(0, Driver.UsedFlags);
    }

    [Fact]
    public void A_queue_that_is_not_live_leaves_the_ring_alone()
    {
        var q = Queue();
        q.Enabled = false;
        q.SetKickWanted(false);
        Assert.Equal(0, Driver.UsedFlags);
        Assert.False(q.IsLive);
        PostTx(1);
        Assert.Equal(0, q.AvailableEntries);
        Assert.Equal(0, q.Dequeue(Frames(1)));
    }
}
