using VirtioForwarder.Relay;

namespace VirtioForwarder.Relay.Tests;

public sealed class DirectionCountersTests
{
    [Fact]
    public void Drops_count_in_the_totals_and_against_their_queue()
    {
        var c = new DirectionCounters(queuePairs: 4);
        c.AddDrops(DropReason.QueueFull, 0, 3);
        c.AddDrops(DropReason.QueueFull, 2, 1);
        c.AddDrops(DropReason.LinkDown, 2, 5);
        c.AddDrops(DropReason.NotConnected, 3, 2);
        c.AddDrops(DropReason.Oversize, 3, 1);
        c.AddDrops(DropReason.NotConnected, 7); // no queue: frames from the port while no VM is connected

        var s = c.Read();
        Assert.Equal(4, s.DroppedQueueFull);
        Assert.Equal(5, s.DroppedLinkDown);
        Assert.Equal(9, s.DroppedNotConnected);
        Assert.Equal(1, s.DroppedOversize);
        Assert.Equal(
            [new QueueDrops(0, 3, 0, 0, 0), new QueueDrops(2, 1, 0, 5, 0), new QueueDrops(3, 0, 2, 0, 1)],
            s.ByQueue);
    }

    [Fact]
    public void Without_drops_there_is_no_per_queue_list()
    {
        Assert.Null(new DirectionCounters(queuePairs: 2).Read().ByQueue);
    }
}
