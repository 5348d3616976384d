using VirtioForwarder.Memory;
using VirtioForwarder.Memory.Tests.Support;
using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests.Packed;

/// <summary>Event suppression both ways (§2.8.14), dirty logging of ring writes, and no allocation on the data path.</summary>
public sealed unsafe class PackedNotificationTests : PackedFixture
{
    private static readonly QueueFeatures EventIdx = Plain with { EventIdx = true };

    private void PostTx(int count)
    {
        for (int i = 0; i < count; i++) Packed.PostTx(Header, Patterns.Frame(60));
    }

    [Theory]
    [InlineData(PackedDriver.EventEnable, true)]
    [InlineData(PackedDriver.EventDisable, false)]
    public void The_driver_event_flags_ask_for_a_call_or_not(ushort flags, bool called)
    {
        var q = PackedQueueWithCall(Plain, out var call);
        Packed.DriverEventFlags = flags;
        PostTx(3);
        Assert.Equal(3, q.Dequeue(Frames(4)));
        Assert.Equal(called ? 1ul : 0ul, call.Drain());
    }

    [Theory]
    [InlineData(0, 3, 0x8000 | 0, true)]    // the first descriptor used
    [InlineData(0, 3, 0x8000 | 2, true)]    // the last
    [InlineData(0, 3, 0x8000 | 3, false)]   // the next one: not yet
    [InlineData(14, 4, 0x8000 | 15, true)]  // before the wrap
    [InlineData(14, 4, 0x0000 | 1, true)]   // after it, in the next lap
    [InlineData(14, 4, 0x0000 | 2, false)]
    [InlineData(14, 4, 0x8000 | 2, false)]  // slot 2 of the lap before: long passed
    public void With_event_idx_a_descriptor_event_calls_once_the_device_passes_it(int skip, int count, int offWrap, bool called)
    {
        Packed.Skip(skip);
        var q = PackedQueueWithCall(EventIdx, out var call);
        Packed.DriverEventFlags = PackedDriver.EventDesc;
        Packed.DriverEventOffWrap = (ushort)offWrap;
        PostTx(count);
        Assert.Equal(count, q.Dequeue(Frames(8)));
        Assert.Equal(called, call.Drain() != 0);
    }

    [Fact]
    public void Kicks_are_enabled_and_disabled_in_the_device_event_area()
    {
        var q = PackedQueue();
        q.SetKickWanted(false);
        Assert.Equal(PackedDriver.EventDisable, Packed.DeviceEventFlags);
        q.SetKickWanted(true);
        Assert.Equal(PackedDriver.EventEnable, Packed.DeviceEventFlags);
    }

    [Fact]
    public void Bursts_in_both_directions_allocate_nothing_and_log_the_ring_writes()
    {
        var log = Own(new SharedFile(GuestRam.End / DirtyLog.PageSize / 8, "log"));
        Ram.Memory.DirtyLog = Own(DirtyLog.Map(log.Dup(), log.Length, 0));
        var all = Plain with { EventIdx = true, IndirectDesc = true, Mergeable = true, LogAll = true };
        var q = PackedQueueWithCall(all, out var call);
        Buffers.Set(0, Patterns.Frame(3000));
        ulong[] rxBuffers = [Packed.Alloc(1024), Packed.Alloc(1024), Packed.Alloc(1024)];
        ulong txBuffer = Packed.Put(new byte[Header + 1500]);

        long allocated = 0;
        for (int i = 0; i < 100; i++)
        {
            foreach (ulong b in rxBuffers) Packed.Post(new Buf(b, 1024, DeviceWrites: true));
            Packed.PostIndirect(new Buf(txBuffer, Header), new Buf(txBuffer + Header, 1500));

            long before = GC.GetAllocatedBytesForCurrentThread();
            int received = q.Enqueue(Frames(1));
            int sent = q.Dequeue(Frames(8)[1..]);
            q.SetKickWanted(true);
            q.SetKickWanted(false);
            _ = q.AvailableEntries;
            long after = GC.GetAllocatedBytesForCurrentThread();

            Assert.Equal((1, 1), (received, sent));
            Assert.Equal(4, Packed.TakeUsed().Count);
            if (i >= 50) allocated += after - before; // the first bursts warm up the JIT
        }

        Assert.Equal(0, allocated);
        Assert.Null(q.BrokenReason);
        Assert.NotEqual(0ul, call.Drain());
        Assert.NotEqual(0, log.View[PackedDriver.DescGpa / DirtyLog.PageSize / 8] & (1 << (int)(PackedDriver.DescGpa / DirtyLog.PageSize % 8)));
    }
}
