using System.Runtime.Intrinsics.X86;

namespace VirtioForwarder.Platform;

/// <summary>
/// Evicts memory from every cache, as CLFLUSHOPT (or CLFLUSH) does: the next write by another
/// CPU then fetches the line instead of first invalidating this CPU's copy. .NET has no intrinsic
/// for either instruction, so a stub of one of them and a return is written into an executable
/// page once; without x86-64, the instructions or an executable page, <see cref="Supported"/> is
/// false and <see cref="Evict"/> does nothing.
/// </summary>
public static unsafe class CacheLines
{
    public const int Size = 64;

    private static readonly delegate* unmanaged[SuppressGCTransition]<void*, void> s_evictLine = CreateStub();

    public static bool Supported => s_evictLine != null;

    /// <summary>Evicts the lines of [<paramref name="start"/>, +<paramref name="length"/>), which must be mapped.</summary>
    public static void Evict(void* start, nuint length)
    {
        if (s_evictLine == null || length == 0) return;
        nuint line = (nuint)start & ~(nuint)(Size - 1);
        nuint end = (nuint)start + length;
        for (; line < end; line += Size) s_evictLine((void*)line);
    }

    private static delegate* unmanaged[SuppressGCTransition]<void*, void> CreateStub()
    {
        if (!X86Base.X64.IsSupported) return null;
        // CPUID.(EAX=7,ECX=0):EBX bit 23 CLFLUSHOPT; CPUID.01H:EDX bit 19 CLFLUSH (Intel SDM Vol. 2A, CPUID).
        bool flushOpt = (X86Base.CpuId(7, 0).Ebx & (1 << 23)) != 0;
        bool flush = (X86Base.CpuId(1, 0).Edx & (1 << 19)) != 0;
        // clflushopt [rdi] / clflush [rdi]; ret (the System V ABI's first argument is in rdi).
        ReadOnlySpan<byte> code = flushOpt ? [0x66, 0x0F, 0xAE, 0x3F, 0xC3] : flush ? [0x0F, 0xAE, 0x3F, 0xC3] : [];
        if (code.IsEmpty) return null;
        const nuint page = 4096;
        void* stub = Libc.Mmap(null, page, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_PRIVATE | Libc.MAP_ANONYMOUS, -1, 0);
        if (stub == Libc.MAP_FAILED) return null;
        code.CopyTo(new Span<byte>(stub, code.Length));
        if (Libc.Mprotect(stub, page, Libc.PROT_READ | Libc.PROT_EXEC) != 0)
        {
            Libc.Munmap(stub, page);
            return null;
        }
        return (delegate* unmanaged[SuppressGCTransition]<void*, void>)stub;
    }
}
