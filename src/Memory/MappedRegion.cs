using VirtioForwarder.Platform;

namespace VirtioForwarder.Memory;

/// <summary>
/// One region as mapped here: where it sits in guest-physical and frontend-virtual space, and
/// the host address of its first byte. The mapping itself starts at file offset 0 and spans
/// Size + MmapOffset, as libvhost-user and DPDK map it: MmapOffset need not be page aligned
/// (hugetlbfs regions), and mmap only takes page-aligned offsets.
/// </summary>
internal readonly unsafe struct MappedRegion
{
    public readonly ulong Gpa;
    public readonly ulong Uva;
    public readonly ulong Size;
    public readonly byte* Host;
    private readonly byte* _mapping;
    private readonly nuint _mappingLength;

    private MappedRegion(in RegionDescriptor d, byte* mapping, nuint mappingLength)
    {
        Gpa = d.GuestPhysAddr;
        Uva = d.UserAddr;
        Size = d.Size;
        _mapping = mapping;
        _mappingLength = mappingLength;
        Host = mapping + d.MmapOffset;
    }

    /// <summary>Maps region <paramref name="index"/> from <paramref name="fd"/> (which the caller still owns).</summary>
    public static MappedRegion Map(int index, in RegionDescriptor d, int fd)
    {
        Validate(index, d);
        nuint length = (nuint)(d.Size + d.MmapOffset);
        void* mapping = Libc.Mmap(null, length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
        if (mapping == Libc.MAP_FAILED)
            throw new SystemCallException($"mmap of memory region {index} ({Describe(d)})", Errno.Last);
        return new MappedRegion(d, (byte*)mapping, length);
    }

    public void Unmap() => Libc.Munmap(_mapping, _mappingLength);

    /// <summary>
    /// Host pointer for [addr, addr+length) when it lies wholly inside this region, where
    /// <paramref name="start"/> is the region's first address in the same address space.
    /// Written so that no sum can wrap: addr+length is never computed.
    /// </summary>
    public byte* Translate(ulong start, ulong addr, ulong length)
    {
        ulong offset = addr - start;
        if (addr < start || offset >= Size || length > Size - offset) return null;
        return Host + offset;
    }

    private static void Validate(int index, in RegionDescriptor d)
    {
        string? problem =
            d.Size == 0 ? "has size 0" :
            d.Size + d.MmapOffset < d.Size ? "has a size plus mmap offset that overflows" :
            d.GuestPhysAddr + d.Size < d.GuestPhysAddr ? "ends beyond the guest-physical address space" :
            d.UserAddr + d.Size < d.UserAddr ? "ends beyond the frontend's address space" :
            d.Size + d.MmapOffset > long.MaxValue ? "is too large to map" :
            null;
        if (problem is not null) throw new ArgumentException($"memory region {index} ({Describe(d)}) {problem}");
    }

    private static string Describe(in RegionDescriptor d) =>
        $"gpa 0x{d.GuestPhysAddr:x}, size 0x{d.Size:x}, uva 0x{d.UserAddr:x}, mmap offset 0x{d.MmapOffset:x}";
}
