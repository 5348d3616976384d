using VirtioForwarder.Memory;
using VirtioForwarder.Memory.Tests.Support;
using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>The data path allocates nothing per packet or per burst, including merged frames, indirect tables and dirty logging.</summary>
public sealed unsafe class AllocationTests : QueueFixture
{
    private static readonly QueueFeatures All = Plain with { EventIdx = true, IndirectDesc = true, Mergeable = true, LogAll = true };

    [Fact]
    public void Bursts_in_both_directions_allocate_nothing()
    {
        // One queue plays both roles: a merged RX frame over three chains, then an indirect TX chain.
        var log = Own(new SharedFile(GuestRam.End / DirtyLog.PageSize / 8, "log"));
        Ram.Memory.DirtyLog = Own(DirtyLog.Map(log.Dup(), log.Length, 0));
        var q = QueueWithCall(All, out var call);
        Buffers.Set(0, Patterns.Frame(3000));
        ulong[] rxBuffers = [Driver.Alloc(1024), Driver.Alloc(1024), Driver.Alloc(1024)];
        ulong txBuffer = Driver.Put(new byte[Header + 1500]);

        long allocated = 0;
        for (int i = 0; i < 100; i++)
        {
            foreach (ulong b in rxBuffers) Driver.Post(new Buf(b, 1024, DeviceWrites: true));
            Driver.PostIndirect(new Buf(txBuffer, Header), new Buf(txBuffer + Header, 1500));

            long before = GC.GetAllocatedBytesForCurrentThread();
            int received = q.Enqueue(Frames(1));
            int sent = q.Dequeue(Frames(8)[1..]);
            q.SetKickWanted(true);
            q.SetKickWanted(false);
            long after = GC.GetAllocatedBytesForCurrentThread();

            Assert.Equal((1, 1), (received, sent));
            if (i >= 50) allocated += after - before; // the first bursts warm up the JIT
        }

        Assert.Equal(0, allocated);
        Assert.Null(q.BrokenReason);
        Assert.NotEqual(0ul, call.Drain());
        Assert.NotEqual(0, log.View[Driver.UsedGpa / DirtyLog.PageSize / 8]);
    }
}
