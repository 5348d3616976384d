using VirtioForwarder.Platform;

namespace VirtioForwarder.Platform.Tests;

public sealed class CpuAffinityTests
{
    [Fact]
    public void Pinning_a_thread_shows_in_its_affinity()
    {
        int cpu = CpuAffinity.Get().Max();
        int[] seen = [];
        var t = new Thread(() =>
        {
            CpuAffinity.PinCurrentThread(cpu);
            seen = CpuAffinity.Get(Libc.GetTid());
        });
        t.Start();
        t.Join();
        Assert.Equal([cpu], seen);
    }

    [Fact]
    public void Pinning_to_a_cpu_that_does_not_exist_fails_clearly()
    {
        var e = Assert.Throws<SystemCallException>(() => CpuAffinity.PinCurrentThread(CpuAffinity.MaxCpus - 1));
        Assert.Contains("sched_setaffinity", e.Message);
    }
}
