using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;

namespace VirtioForwarder.Device.Tests;

/// <summary>A memfd standing in for a guest's RAM, as QEMU's memory-backend-memfd gives it.</summary>
internal sealed class GuestRam : IDisposable
{
    public const ulong UserBase = 0x7f00_0000_0000;

    public GuestRam(ulong size)
    {
        Size = size;
        Fd = Libc.MemfdCreate("guest-ram", Libc.MFD_CLOEXEC);
        Errno.Check(Libc.Ftruncate(Fd, (long)size), "ftruncate");
    }

    public int Fd { get; }
    public ulong Size { get; }

    public MemoryRegion Region => new() { GuestPhysAddr = 0, MemorySize = Size, UserAddr = UserBase, MmapOffset = 0 };

    /// <summary>Writes a u16 at <paramref name="offset"/>, as a guest driver would.</summary>
    public unsafe void WriteU16(ulong offset, ushort value)
    {
        void* map = Libc.Mmap(null, (nuint)Size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, Fd, 0);
        Assert.True(map != Libc.MAP_FAILED);
        *(ushort*)((byte*)map + offset) = value;
        Libc.Munmap(map, (nuint)Size);
    }

    public void Dispose() => Libc.Close(Fd);
}
