using System.Collections.ObjectModel;
using System.Runtime.CompilerServices;
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
    private MappedRegion[] _regions;
    private readonly ReadOnlyCollection<RegionDescriptor> _descriptors;
    // The region the last translation hit: packets of one flow tend to sit in one region. Racy
    // between workers on purpose: any value is a valid hint, and it is checked before use.
    private int _lastHit;

    private GuestMemory(MappedRegion[] regions, RegionDescriptor[] descriptors)
    {
        _regions = regions;
        _descriptors = Array.AsReadOnly(descriptors);
    }

    /// <summary>Maps every region (MAP_SHARED) and takes ownership of <paramref name="fds"/>: they are closed once mapped, also on failure.</summary>
    public static GuestMemory Map(ReadOnlySpan<RegionDescriptor> regions, ReadOnlySpan<int> fds)
    {
        var mapped = new MappedRegion[regions.Length];
        int done = 0;
        try
        {
            if (fds.Length != regions.Length)
                throw new ArgumentException($"{regions.Length} memory region(s) but {fds.Length} fd(s)");
            for (; done < regions.Length; done++) mapped[done] = MappedRegion.Map(done, regions[done], fds[done]);
            return new GuestMemory(mapped, regions.ToArray());
        }
        catch
        {
            for (int i = 0; i < done; i++) mapped[i].Unmap();
            throw;
        }
        finally
        {
            // A MAP_SHARED mapping keeps the file alive on its own.
            foreach (int fd in fds) Libc.Close(fd);
        }
    }

    public IReadOnlyList<RegionDescriptor> Regions => _descriptors;

    /// <summary>Set while the frontend has asked for dirty logging (VHOST_F_LOG_ALL and SET_LOG_BASE); null otherwise.</summary>
    public DirtyLog? DirtyLog { get; set; }

    /// <summary>Host pointer for guest-physical [gpa, gpa+length), or null unless the whole range lies in one region.</summary>
    public byte* GpaToHost(ulong gpa, ulong length) => Translate(gpa, length, byUserAddress: false);

    /// <summary>Host pointer for frontend-virtual [uva, uva+length), or null unless the whole range lies in one region.</summary>
    public byte* UvaToHost(ulong uva, ulong length) => Translate(uva, length, byUserAddress: true);

    /// <summary>Copies guest-physical memory out; false if the range is not mapped.</summary>
    public bool Read(ulong gpa, Span<byte> destination)
    {
        byte* source = GpaToHost(gpa, (ulong)destination.Length);
        if (source == null) return false;
        new ReadOnlySpan<byte>(source, destination.Length).CopyTo(destination);
        return true;
    }

    /// <summary>Copies into guest-physical memory and logs the pages dirty; false if the range is not mapped.</summary>
    public bool Write(ulong gpa, ReadOnlySpan<byte> source)
    {
        byte* destination = GpaToHost(gpa, (ulong)source.Length);
        if (destination == null) return false;
        WriteTranslated(destination, gpa, source);
        return true;
    }

    /// <summary>
    /// Copies into a range the caller has already translated (<paramref name="host"/> =
    /// GpaToHost(<paramref name="gpa"/>, at least <c>source.Length</c>)) and logs the pages dirty:
    /// the data path's way in, which saves translating each buffer twice.
    /// </summary>
    public void WriteTranslated(byte* host, ulong gpa, ReadOnlySpan<byte> source)
    {
        source.CopyTo(new Span<byte>(host, source.Length));
        DirtyLog?.MarkDirty(gpa, (ulong)source.Length);
    }

    /// <summary>
    /// Writes a header of 10 or 12 bytes given by value (<paramref name="headLow"/> its bytes 0-7,
    /// <paramref name="headHigh"/> the rest, little-endian) and then <paramref name="tail"/> into one
    /// range the caller has already translated, and logs it dirty once: a received frame and its
    /// virtio-net header landing in one buffer. The header goes in as stores of registers, not as
    /// a copy of bytes just written elsewhere, which the CPU could only read back once every store
    /// before them, into guest memory too, had completed.
    /// </summary>
    public void WriteTranslated(byte* host, ulong gpa, ulong headLow, uint headHigh, int headLength, ReadOnlySpan<byte> tail)
    {
        if (headLength is not (10 or 12)) throw new ArgumentOutOfRangeException(nameof(headLength), headLength, "a virtio-net header is 10 or 12 bytes");
        Unsafe.WriteUnaligned(host, headLow);
        if (headLength == 12) Unsafe.WriteUnaligned(host + 8, headHigh);
        else Unsafe.WriteUnaligned(host + 8, (ushort)headHigh);
        tail.CopyTo(new Span<byte>(host + headLength, tail.Length));
        DirtyLog?.MarkDirty(gpa, (ulong)(headLength + tail.Length));
    }

    private byte* Translate(ulong addr, ulong length, bool byUserAddress)
    {
        var regions = _regions;
        int hint = _lastHit;
        if ((uint)hint < (uint)regions.Length)
        {
            ref readonly var r = ref regions[hint];
            byte* host = r.Translate(byUserAddress ? r.Uva : r.Gpa, addr, length);
            if (host != null) return host;
        }
        for (int i = 0; i < regions.Length; i++)
        {
            ref readonly var r = ref regions[i];
            byte* host = r.Translate(byUserAddress ? r.Uva : r.Gpa, addr, length);
            if (host == null) continue;
            _lastHit = i;
            return host;
        }
        return null;
    }

    /// <summary>Unmaps every region; translations fail from then on. The dirty log belongs to the caller.</summary>
    public void Dispose()
    {
        var regions = Interlocked.Exchange(ref _regions, []);
        foreach (var r in regions) r.Unmap();
    }
}
