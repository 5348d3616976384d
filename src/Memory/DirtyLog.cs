using VirtioForwarder.Platform;

namespace VirtioForwarder.Memory;

/// <summary>
/// The live-migration dirty bitmap shared with the frontend (SET_LOG_BASE): one bit per 4 KiB
/// page of guest-physical memory, set atomically.
/// </summary>
/// <remarks>
/// Page p is bit p%8 of byte p/8 (vhost-user "Migration": the log is read as bytes or as
/// little-endian u64s, which on x86-64 is the same bit). Bits are set with an atomic OR on the
/// aligned 64-bit word holding them, because the frontend clears them concurrently and other
/// workers set neighbours. The log may start at any byte offset, so word addresses are taken
/// relative to the 8-byte boundary below the log's start; that boundary is still inside the
/// page-aligned mapping, and the words never reach past the mapping's last page.
/// </remarks>
public sealed unsafe class DirtyLog : IDisposable
{
    public const int PageSize = 4096;

    private byte* _mapping;
    private readonly nuint _mappingLength;
    private readonly ulong* _words;
    private readonly ulong _firstBit;
    private readonly ulong _pages;

    private DirtyLog(byte* mapping, nuint mappingLength, ulong size, ulong offset)
    {
        _mapping = mapping;
        _mappingLength = mappingLength;
        byte* log = mapping + offset;
        _words = (ulong*)((nuint)log & ~(nuint)7);
        _firstBit = (ulong)(log - (byte*)_words) * 8;
        _pages = size * 8;
    }

    /// <summary>Maps <paramref name="size"/> bytes of the log at <paramref name="offset"/> in <paramref name="fd"/> and takes ownership of the fd.</summary>
    public static DirtyLog Map(int fd, ulong size, ulong offset)
    {
        try
        {
            if (size == 0) throw new ArgumentException("the dirty log has size 0");
            ulong length = size + offset;
            if (length < size || length > long.MaxValue)
                throw new ArgumentException($"the dirty log's size 0x{size:x} plus offset 0x{offset:x} is too large");
            void* mapping = Libc.Mmap(null, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0);
            if (mapping == Libc.MAP_FAILED)
                throw new SystemCallException($"mmap of the dirty log (size 0x{size:x}, offset 0x{offset:x})", Errno.Last);
            return new DirtyLog((byte*)mapping, (nuint)length, size, offset);
        }
        finally
        {
            Libc.Close(fd);
        }
    }

    /// <summary>Marks the pages of guest-physical [gpa, gpa+length) dirty; pages beyond the log are ignored.</summary>
    public void MarkDirty(ulong gpa, ulong length)
    {
        if (length == 0 || _mapping == null) return;
        ulong firstPage = gpa / PageSize;
        if (firstPage >= _pages) return;
        ulong end = gpa + (length - 1);
        ulong lastPage = Math.Min(end < gpa ? ulong.MaxValue / PageSize : end / PageSize, _pages - 1);

        ulong bit = _firstBit + firstPage, lastBit = _firstBit + lastPage;
        while (bit <= lastBit)
        {
            ulong wordLastBit = Math.Min(lastBit, bit | 63);
            ulong mask = (ulong.MaxValue << (int)(bit & 63)) & (ulong.MaxValue >> (int)(63 - (wordLastBit & 63)));
            ref ulong word = ref _words[bit >> 6];
            // Already dirty is the common case while migrating: skip the locked instruction.
            if ((Volatile.Read(ref word) & mask) != mask) Interlocked.Or(ref word, mask);
            bit = wordLastBit + 1;
        }
    }

    public void Dispose()
    {
        byte* mapping = _mapping;
        if (mapping == null) return;
        _mapping = null;
        Libc.Munmap(mapping, _mappingLength);
    }
}
