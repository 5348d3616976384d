using VirtioForwarder.Memory.Tests.Support;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Memory.Tests;

/// <summary>Mapping: the mmap offset, fd ownership and failures. Checks fd numbers, so not run in parallel.</summary>
[Collection(FdCollection.Name)]
public sealed unsafe class GuestMemoryMapTests
{
    [Fact]
    public void The_region_starts_at_its_mmap_offset_even_when_not_page_aligned()
    {
        const ulong Offset = 0x1234;
        using var file = new SharedFile(0x4000);
        using var memory = GuestMemory.Map([new RegionDescriptor(0x100000, 0x2000, 0x7f00_0000_0000, Offset)], [file.Dup()]);

        file.View[Offset] = 0x11;
        file.View[Offset + 0x1fff] = 0x22;
        Assert.Equal(0x11, *memory.GpaToHost(0x100000, 1));
        Assert.Equal(0x22, *memory.GpaToHost(0x101fff, 1));
        Assert.True(memory.GpaToHost(0x102000, 1) == null);
    }

    [Fact]
    public void Fds_are_closed_once_mapped()
    {
        using var file = new SharedFile(0x1000);
        int fd = file.Dup();
        using var memory = GuestMemory.Map([new RegionDescriptor(0, 0x1000, 0x1000, 0)], [fd]);
        Assert.False(FdCheck.IsOpen(fd));
    }

    [Fact]
    public void A_failed_mmap_names_the_region_and_closes_every_fd()
    {
        using var file = new SharedFile(0x1000);
        using var notMappable = EventFd.Create();
        int good = file.Dup(), bad = Libc.Dup(notMappable.Fd);

        var e = Assert.Throws<SystemCallException>(() => GuestMemory.Map(
            [new RegionDescriptor(0, 0x1000, 0x1000, 0), new RegionDescriptor(0x1000, 0x1000, 0x2000, 0)], [good, bad]));

        Assert.Contains("region 1", e.Message);
        Assert.False(FdCheck.IsOpen(good));
        Assert.False(FdCheck.IsOpen(bad));
    }

    [Theory]
    [InlineData(0x1000ul, 0ul, 0ul, 0ul, "size 0")]
    [InlineData(0ul, 0ul, 0ul, 0ul, "size 0")]
    [InlineData(0ul, 0x1000ul, 0ul, ulong.MaxValue, "overflows")]
    [InlineData(ulong.MaxValue - 0x7ff, 0x1000ul, 0ul, 0ul, "guest-physical")]
    [InlineData(0ul, 0x1000ul, ulong.MaxValue - 0x7ff, 0ul, "frontend")]
    public void Impossible_regions_are_refused_and_their_fds_closed(ulong gpa, ulong size, ulong uva, ulong offset, string reason)
    {
        using var file = new SharedFile(0x1000);
        int fd = file.Dup();
        var e = Assert.Throws<ArgumentException>(() => GuestMemory.Map([new RegionDescriptor(gpa, size, uva, offset)], [fd]));
        Assert.Contains("region 0", e.Message);
        Assert.Contains(reason, e.Message);
        Assert.False(FdCheck.IsOpen(fd));
    }

    [Fact]
    public void A_count_mismatch_between_regions_and_fds_is_refused_and_the_fds_closed()
    {
        using var file = new SharedFile(0x1000);
        int a = file.Dup(), b = file.Dup();
        Assert.Throws<ArgumentException>(() => GuestMemory.Map([new RegionDescriptor(0, 0x1000, 0x1000, 0)], [a, b]));
        Assert.False(FdCheck.IsOpen(a));
        Assert.False(FdCheck.IsOpen(b));
    }

    [Fact]
    public void No_regions_map_to_memory_where_nothing_translates()
    {
        using var memory = GuestMemory.Map([], []);
        Assert.Empty(memory.Regions);
        Assert.True(memory.GpaToHost(0, 0) == null);
    }
}
