namespace VirtioForwarder.Platform;

/// <summary>Thread CPU placement. .NET only pins whole processes, so this calls sched_setaffinity on the calling thread.</summary>
public static unsafe class CpuAffinity
{
    /// <summary>Most CPUs a mask here can name (16 words of 64 bits).</summary>
    public const int MaxCpus = 1024;

    /// <summary>Pins the calling OS thread to one CPU.</summary>
    public static void PinCurrentThread(int cpu)
    {
        if ((uint)cpu >= MaxCpus) throw new ArgumentOutOfRangeException(nameof(cpu));
        ulong* mask = stackalloc ulong[MaxCpus / 64];
        new Span<ulong>(mask, MaxCpus / 64).Clear();
        mask[cpu / 64] |= 1UL << (cpu % 64);
        Errno.Check(Libc.SchedSetAffinity(0, MaxCpus / 8, mask), $"sched_setaffinity(cpu {cpu})");
    }

    /// <summary>The CPUs a thread (0 = the caller) may run on.</summary>
    public static int[] Get(int tid = 0)
    {
        ulong* mask = stackalloc ulong[MaxCpus / 64];
        Errno.Check(Libc.SchedGetAffinity(tid, MaxCpus / 8, mask), "sched_getaffinity");
        var cpus = new List<int>();
        for (int i = 0; i < MaxCpus; i++)
            if ((mask[i / 64] & (1UL << (i % 64))) != 0) cpus.Add(i);
        return cpus.ToArray();
    }
}
