namespace VirtioForwarder.Memory;

/// <summary>
/// The live-migration dirty bitmap shared with the frontend (SET_LOG_BASE): one bit per 4 KiB
/// page of guest-physical memory, set atomically.
/// </summary>
public sealed unsafe class DirtyLog : IDisposable
{
    public const int PageSize = 4096;

    /// <summary>Maps <paramref name="size"/> bytes of the log at <paramref name="offset"/> in <paramref name="fd"/> and takes ownership of the fd.</summary>
    public static DirtyLog Map(int fd, ulong size, ulong offset) => throw new NotImplementedException();

    /// <summary>Marks the pages of guest-physical [gpa, gpa+length) dirty; pages beyond the log are ignored.</summary>
    public void MarkDirty(ulong gpa, ulong length) => throw new NotImplementedException();

    public void Dispose() => throw new NotImplementedException();
}
