using VirtioForwarder.Memory.Tests.Support;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Memory.Tests;

[Collection(FdCollection.Name)]
public sealed class DirtyLogMapTests
{
    [Fact]
    public void The_fd_is_closed_once_mapped()
    {
        using var file = new SharedFile(0x1000);
        int fd = file.Dup();
        using var log = DirtyLog.Map(fd, 0x100, 0);
        Assert.False(FdCheck.IsOpen(fd));
    }

    [Fact]
    public void A_failed_mmap_throws_and_closes_the_fd()
    {
        using var notMappable = EventFd.Create();
        int fd = Libc.Dup(notMappable.Fd);
        var e = Assert.Throws<SystemCallException>(() => DirtyLog.Map(fd, 0x100, 0));
        Assert.Contains("dirty log", e.Message);
        Assert.False(FdCheck.IsOpen(fd));
    }

    [Theory]
    [InlineData(0ul, 0ul)]
    [InlineData(0x100ul, ulong.MaxValue)]
    public void Impossible_sizes_are_refused_and_the_fd_closed(ulong size, ulong offset)
    {
        using var file = new SharedFile(0x1000);
        int fd = file.Dup();
        Assert.Throws<ArgumentException>(() => DirtyLog.Map(fd, size, offset));
        Assert.False(FdCheck.IsOpen(fd));
    }
}
