namespace VirtioForwarder.Relay.Tests;

/// <summary><see cref="Worker.Load"/>: a worker's time split by what it did, on a real worker thread.</summary>
public sealed class WorkerLoadTests
{
    /// <summary>Moves one frame a pass while <see cref="Moving"/>, with a pass long enough to be measured.</summary>
    private sealed class Scripted() : Forwarder(1)
    {
        public volatile bool Moving = true;

        public override int Poll()
        {
            if (!Moving) return 0;
            Thread.SpinWait(200);
            return 1;
        }

        public override void PrepareSleep(List<int> waitFds) { }

        public override void EndSleep() { }
    }

    private static WorkerLoad LoadAfter(PollMode mode, Action<Scripted> script)
    {
        var forwarder = new Scripted();
        using var worker = new Worker(0, mode, "load-test");
        worker.Add(forwarder);
        script(forwarder);
        return worker.Load;
    }

    [Fact]
    public void Passes_that_move_frames_count_as_busy_and_empty_ones_as_idle()
    {
        var load = LoadAfter(PollMode.Busy, f =>
        {
            Thread.Sleep(100);
            f.Moving = false;
            Thread.Sleep(100);
        });

        Assert.Equal(0, load.Cpu);
        Assert.True(load.BusyNs > 10_000_000, $"busy {load.BusyNs} ns");
        Assert.True(load.IdleNs > 10_000_000, $"idle {load.IdleNs} ns");
        Assert.Equal(0, load.SleepNs);
        Assert.Equal(0, load.Sleeps);
        Assert.True(load.Passes > 100);
        // What the worker did adds up to about the time it ran (less the pass still under way).
        long total = load.BusyNs + load.IdleNs + load.SleepNs + load.StalledNs;
        Assert.InRange(total, 150_000_000, 2_000_000_000);
    }

    [Fact]
    public void An_adaptive_worker_with_nothing_to_do_spends_its_time_asleep()
    {
        var load = LoadAfter(PollMode.Adaptive, f =>
        {
            f.Moving = false;
            Thread.Sleep(500);
        });

        Assert.True(load.Sleeps > 0);
        Assert.True(load.SleepNs > load.IdleNs, $"sleeping {load.SleepNs} ns, idle polling {load.IdleNs} ns");
        Assert.Equal(0, load.BusyNs);
    }
}
