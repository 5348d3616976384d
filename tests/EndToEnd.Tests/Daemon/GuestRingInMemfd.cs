using System.Runtime.InteropServices;
using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Guest RAM in a memfd, as QEMU's memory-backend-memfd gives it, mapped here too so the test can
/// play the guest driver: one split ring (virtio 1.2 §2.7) laid out at its start and a buffer
/// area after it. Descriptors hold guest-physical addresses (RAM starts at 0); SET_VRING_ADDR
/// takes the frontend's own virtual addresses (<see cref="UserBase"/> onwards).
/// </summary>
public sealed unsafe class GuestRingInMemfd : IDisposable
{
    public const ushort QueueSize = 256;
    public const ulong Size = 1 << 20;
    public const ulong UserBase = 0x7f00_0000_0000;

    // desc: 16 B × 256; avail: flags, idx, ring[256], used_event; used: flags, idx, {id, len}[256], avail_event.
    private const ulong DescOffset = 0, AvailOffset = 0x1000, UsedOffset = 0x2000;

    /// <summary>Where buffers may go: past the ring, inside guest RAM.</summary>
    public const ulong BufferGpa = 0x10000;

    private const ushort FlagNext = 1;

    private readonly byte* _ram;
    private ushort _availIdx;

    public GuestRingInMemfd()
    {
        Fd = Libc.MemfdCreate("guest-ram", Libc.MFD_CLOEXEC);
        Errno.Check(Libc.Ftruncate(Fd, (long)Size), "ftruncate");
        _ram = (byte*)Libc.Mmap(null, (nuint)Size, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, Fd, 0);
        if (_ram == Libc.MAP_FAILED)
            throw new InvalidOperationException($"mmap of the guest RAM memfd failed: errno {Marshal.GetLastPInvokeError()}");
    }

    public int Fd { get; }

    public MemoryRegion Region => new() { GuestPhysAddr = 0, MemorySize = Size, UserAddr = UserBase, MmapOffset = 0 };

    public VringAddress Address(uint queue) => new()
    {
        Index = queue,
        DescUser = UserBase + DescOffset,
        AvailUser = UserBase + AvailOffset,
        UsedUser = UserBase + UsedOffset,
    };

    public void WriteDescriptor(ushort index, ulong gpa, uint length, ushort? next)
    {
        var desc = _ram + DescOffset + index * 16u;
        *(ulong*)desc = gpa;
        *(uint*)(desc + 8) = length;
        *(ushort*)(desc + 12) = next is null ? (ushort)0 : FlagNext;
        *(ushort*)(desc + 14) = next ?? 0;
    }

    /// <summary>Makes the chain at <paramref name="head"/> available: ring entry first, then the index (§2.7.13).</summary>
    public void MakeAvailable(ushort head)
    {
        *(ushort*)(_ram + AvailOffset + 4 + (_availIdx % QueueSize) * 2u) = head;
        _availIdx++;
        Volatile.Write(ref *(ushort*)(_ram + AvailOffset + 2), _availIdx);
    }

    public void Dispose()
    {
        Libc.Munmap(_ram, (nuint)Size);
        Libc.Close(Fd);
    }
}
