using VirtioForwarder.Platform;

namespace VirtioForwarder.Memory.Tests.Support;

/// <summary>
/// A memfd standing in for guest RAM or a dirty log, with the test's own mapping of it: what the
/// guest (or the frontend) sees, independent of the code under test's mapping of the same file.
/// </summary>
public sealed unsafe class SharedFile : IDisposable
{
    public int Fd { get; }
    public ulong Length { get; }
    public byte* View { get; }

    public SharedFile(ulong length, string name = "test")
    {
        Length = length;
        Fd = (int)Errno.Check(Libc.MemfdCreate(name, Libc.MFD_CLOEXEC), "memfd_create");
        Errno.Check(Libc.Ftruncate(Fd, (long)length), "ftruncate");
        void* view = Libc.Mmap(null, (nuint)length, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, Fd, 0);
        if (view == Libc.MAP_FAILED) throw new SystemCallException("mmap", Errno.Last);
        View = (byte*)view;
    }

    /// <summary>A new fd for the same file, to hand to code that takes ownership of it.</summary>
    public int Dup() => (int)Errno.Check(Libc.Dup(Fd), "dup");

    public Span<byte> Bytes(ulong offset, int length) => new(View + offset, length);

    public void Dispose()
    {
        Libc.Munmap(View, (nuint)Length);
        Libc.Close(Fd);
    }
}
