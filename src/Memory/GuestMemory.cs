using VirtioForwarder.Platform;

namespace VirtioForwarder.Memory;

/// <summary>One guest memory region as the frontend describes it (vhost-user "Memory region description").</summary>
public readonly record struct RegionDescriptor(ulong GuestPhysAddr, ulong Size, ulong UserAddr, ulong MmapOffset);

/// <summary>
/// The guest's memory as mapped into this process from the fds of SET_MEM_TABLE: translation of
/// guest-physical (descriptor) and frontend-virtual (ring) addresses to host pointers with bounds
/// checks, and the single place through which the backend writes into guest memory, so that dirty
/// pages can be logged for live migration.
/// </summary>
public sealed unsafe class GuestMemory : IDisposable
{
    /// <summary>Maps every region (MAP_SHARED) and takes ownership of <paramref name="fds"/>: they are closed once mapped, also on failure.</summary>
    public static GuestMemory Map(ReadOnlySpan<RegionDescriptor> regions, ReadOnlySpan<int> fds) => throw new NotImplementedException();

    public IReadOnlyList<RegionDescriptor> Regions => throw new NotImplementedException();

    /// <summary>Set while the frontend has asked for dirty logging (VHOST_F_LOG_ALL and SET_LOG_BASE); null otherwise.</summary>
    public DirtyLog? DirtyLog { get; set; }

    /// <summary>Host pointer for guest-physical [gpa, gpa+length), or null unless the whole range lies in one region.</summary>
    public byte* GpaToHost(ulong gpa, ulong length) => throw new NotImplementedException();

    /// <summary>Host pointer for frontend-virtual [uva, uva+length), or null unless the whole range lies in one region.</summary>
    public byte* UvaToHost(ulong uva, ulong length) => throw new NotImplementedException();

    /// <summary>Copies guest-physical memory out; false if the range is not mapped.</summary>
    public bool Read(ulong gpa, Span<byte> destination) => throw new NotImplementedException();

    /// <summary>Copies into guest-physical memory and logs the pages dirty; false if the range is not mapped.</summary>
    public bool Write(ulong gpa, ReadOnlySpan<byte> source) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
