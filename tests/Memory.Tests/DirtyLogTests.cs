using VirtioForwarder.Memory.Tests.Support;

namespace VirtioForwarder.Memory.Tests;

/// <summary>
/// The log as the frontend reads it: page p is bit p%8 of byte p/8 from the log's offset. The
/// offset is deliberately not 8-byte aligned, so the aligned-word arithmetic is exercised.
/// </summary>
public sealed unsafe class DirtyLogTests : IDisposable
{
    private const ulong Offset = 0x1003, LogBytes = 64;
    private const ulong Pages = LogBytes * 8;
    private const ulong Page = DirtyLog.PageSize;

    private readonly SharedFile _file = new(0x2000);
    private readonly DirtyLog _log;

    public DirtyLogTests() => _log = DirtyLog.Map(_file.Dup(), LogBytes, Offset);

    public void Dispose()
    {
        _log.Dispose();
        _file.Dispose();
    }

    private bool IsDirty(ulong page) => (_file.View[Offset + page / 8] & (1 << (int)(page % 8))) != 0;

    private List<ulong> DirtyPages()
    {
        var dirty = new List<ulong>();
        for (ulong p = 0; p < Pages; p++) if (IsDirty(p)) dirty.Add(p);
        return dirty;
    }

    [Fact]
    public void One_byte_marks_its_page()
    {
        _log.MarkDirty(5 * Page + 17, 1);
        Assert.Equal([5ul], DirtyPages());
    }

    [Fact]
    public void A_range_marks_every_page_it_touches()
    {
        _log.MarkDirty(3 * Page - 1, Page + 2);
        Assert.Equal([2ul, 3ul, 4ul], DirtyPages());
    }

    [Fact]
    public void A_range_across_several_64_bit_words_marks_exactly_its_pages()
    {
        _log.MarkDirty(60 * Page, 140 * Page);
        var expected = new List<ulong>();
        for (ulong p = 60; p < 200; p++) expected.Add(p);
        Assert.Equal(expected, DirtyPages());
    }

    [Fact]
    public void Length_zero_marks_nothing()
    {
        _log.MarkDirty(Page, 0);
        Assert.Empty(DirtyPages());
    }

    [Fact]
    public void Pages_beyond_the_log_are_ignored_and_bytes_around_it_untouched()
    {
        _log.MarkDirty((Pages - 1) * Page, 10 * Page);
        _log.MarkDirty(Pages * Page, Page);
        _log.MarkDirty(ulong.MaxValue - 10, 100);
        Assert.Equal([Pages - 1], DirtyPages());
        Assert.Equal(0, _file.View[Offset - 1]);
        Assert.Equal(0, _file.View[Offset + LogBytes]);
    }

    [Fact]
    public void A_range_wrapping_the_address_space_marks_to_the_end_of_the_log()
    {
        _log.MarkDirty((Pages - 2) * Page, ulong.MaxValue);
        Assert.Equal([Pages - 2, Pages - 1], DirtyPages());
    }

    [Fact]
    public void Bits_already_set_by_others_are_kept()
    {
        _file.View[Offset] = 0b1000_0001;
        _log.MarkDirty(2 * Page, 1);
        Assert.Equal([0ul, 2ul, 7ul], DirtyPages());
    }

    [Fact]
    public void Concurrent_writers_lose_no_bits()
    {
        const int Threads = 4;
        Parallel.For(0, Threads, t =>
        {
            for (ulong p = (ulong)t; p < Pages; p += Threads) _log.MarkDirty(p * Page, 1);
        });
        Assert.Equal((int)Pages, DirtyPages().Count);
    }

    [Fact]
    public void After_dispose_marking_does_nothing()
    {
        _log.Dispose();
        _log.MarkDirty(0, Page);
        _log.Dispose();
        Assert.Empty(DirtyPages());
    }

    [Fact]
    public void Guest_memory_writes_log_their_pages()
    {
        using var ram = new SharedFile(0x10000);
        using var memory = GuestMemory.Map([new RegionDescriptor(0, 0x10000, 0x7f00_0000_0000, 0)], [ram.Dup()]);
        Assert.True(memory.Write(Page - 2, [1, 2, 3, 4]));
        Assert.Empty(DirtyPages());

        memory.DirtyLog = _log;
        Assert.True(memory.Write(Page - 2, [1, 2, 3, 4]));
        Assert.False(memory.Write(0x10000 - 1, [1, 2]));
        Assert.Equal([0ul, 1ul], DirtyPages());
    }
}
