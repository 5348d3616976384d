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

    public void Dispose() => Libc.Close(Fd);
}
