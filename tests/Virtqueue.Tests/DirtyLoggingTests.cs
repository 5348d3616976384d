using VirtioForwarder.Memory;
using VirtioForwarder.Memory.Tests.Support;
using VirtioForwarder.Virtqueue.Tests.Support;

namespace VirtioForwarder.Virtqueue.Tests;

/// <summary>
/// While migrating, every guest page the device writes is logged: buffers through
/// GuestMemory.Write, used-ring writes at log_guest_addr (vhost-user "Migration"). The log guest
/// address is set apart from the used ring's real address here, to show which one is used.
/// </summary>
public sealed unsafe class DirtyLoggingTests : QueueFixture
{
    private const ulong LogGuestAddr = 0x80000;
    private const ulong Page = DirtyLog.PageSize;
    private static readonly QueueFeatures Logging = Plain with { LogAll = true, EventIdx = true };

    private readonly SharedFile _logFile;

    public DirtyLoggingTests()
    {
        _logFile = Own(new SharedFile(GuestRam.End / Page / 8, "log"));
        Ram.Memory.DirtyLog = Own(DirtyLog.Map(_logFile.Dup(), _logFile.Length, 0));
    }

    private SplitQueue LoggingQueue(QueueFeatures features)
    {
        var q = Queue(features);
        q.Addresses = Driver.Addresses(logEnabled: features.LogAll, logGuestAddr: LogGuestAddr);
        Assert.True(q.Attach(Ram.Memory, out _));
        return q;
    }

    private List<ulong> DirtyPages()
    {
        var dirty = new List<ulong>();
        for (ulong p = 0; p < GuestRam.End / Page; p++)
            if ((_logFile.View[p / 8] & (1 << (int)(p % 8))) != 0) dirty.Add(p);
        return dirty;
    }

    [Fact]
    public void Received_frames_log_their_buffer_pages_and_the_used_ring()
    {
        var q = LoggingQueue(Logging);
        ulong buffer = Driver.Alloc(3 * (uint)Page);
        buffer += Page - 8;
        Driver.Post(new Buf(buffer, 2 * (uint)Page, DeviceWrites: true));
        Buffers.Set(0, Patterns.Frame(100));

        Assert.Equal(1, q.Enqueue(Frames(1)));
        // Header and frame: 112 bytes from 8 bytes before a page boundary; the used element and index at the log address.
        Assert.Equal([buffer / Page, buffer / Page + 1, LogGuestAddr / Page], DirtyPages());
    }

    [Fact]
    public void Transmitting_logs_only_the_used_ring()
    {
        var q = LoggingQueue(Logging);
        Driver.PostTx(Header, Patterns.Frame(100));
        Assert.Equal(1, q.Dequeue(Frames(1)));
        Assert.Equal([LogGuestAddr / Page], DirtyPages());
    }

    [Fact]
    public void The_used_ring_log_follows_the_element_and_index_offsets()
    {
        var q = Queue(Logging);
        q.Addresses = Driver.Addresses(logEnabled: true, logGuestAddr: 3 * Page - 4);
        Assert.True(q.Attach(Ram.Memory, out _));
        Driver.PostTx(Header, Patterns.Frame(100));
        Assert.Equal(1, q.Dequeue(Frames(1)));
        // used->idx at +2 is on page 2, element 0 at +4 on page 3.
        Assert.Equal([2ul, 3ul], DirtyPages());
    }

    [Fact]
    public void Kick_suppression_writes_are_logged()
    {
        var q = LoggingQueue(Logging);
        q.SetKickWanted(true);
        Assert.Equal([LogGuestAddr / Page], DirtyPages());
    }

    [Fact]
    public void Without_log_all_the_used_ring_is_not_logged_but_buffers_still_are()
    {
        var q = LoggingQueue(Plain);
        ulong buffer = Driver.PostRx(2048);
        Buffers.Set(0, Patterns.Frame(100));
        Assert.Equal(1, q.Enqueue(Frames(1)));
        Assert.Equal([buffer / Page], DirtyPages());
    }

    [Fact]
    public void Without_the_ring_s_log_flag_the_used_ring_is_not_logged()
    {
        var q = Queue(Logging);
        q.Addresses = Driver.Addresses(logEnabled: false, logGuestAddr: LogGuestAddr);
        Assert.True(q.Attach(Ram.Memory, out _));
        Driver.PostTx(Header, Patterns.Frame(100));
        Assert.Equal(1, q.Dequeue(Frames(1)));
        Assert.Empty(DirtyPages());
    }
}
