using System.Diagnostics;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Relay;

/// <summary>
/// A thread pinned to one CPU that polls the forwarders placed there, of any relay, in a loop
/// (see <see cref="WorkerPool"/>). In adaptive mode, after a run
/// of empty passes it asks for notifications, checks once more, and sleeps in poll(2) on the
/// forwarders' fds and its own wake-up eventfd, so an idle relay costs no CPU and the first frame
/// after idle waits only for a wake-up, not for a timer.
/// </summary>
public sealed unsafe class Worker : IDisposable
{
    /// <summary>Empty passes before sleeping: long enough to ride out gaps inside a burst of traffic.</summary>
    private const int SpinPasses = 4096;
    /// <summary>Upper bound on one sleep, so a missed wake-up costs at most this much latency.</summary>
    private const int SleepTimeoutMs = 100;
    private const int MaxWaitFds = 256;
    /// <summary>A pass longer than this did not have the CPU all along (preempted, or the process stopped): its time is stalled, neither busy nor idle.</summary>
    private static readonly long StallTicks = Stopwatch.Frequency / 1000;

    private readonly EventFd _wake = EventFd.Create();
    private readonly PollMode _mode;
    private readonly Thread _thread;
    private volatile Forwarder[] _forwarders = [];
    private volatile bool _stopping;
    private long _passes;
    private long _sleeps;
    // Time by what the worker did, in Stopwatch ticks; written by the worker thread only.
    private long _busyTicks, _idleTicks, _sleepTicks, _stallTicks;

    public Worker(int cpu, PollMode mode, string name)
    {
        Cpu = cpu;
        _mode = mode;
        _thread = new Thread(Run) { Name = name, IsBackground = true };
        _thread.Start();
    }

    public int Cpu { get; }
    /// <summary>The OS thread id, once the thread runs (tests check its affinity).</summary>
    public int ThreadId { get; private set; }

    public void Add(Forwarder f)
    {
        lock (_thread) _forwarders = [.. _forwarders, f];
        Wake();
    }

    public void Remove(Forwarder f)
    {
        lock (_thread) _forwarders = _forwarders.Where(x => x != f).ToArray();
        Wake();
    }

    /// <summary>
    /// Returns true once the worker has begun a new pass, so a forwarder removed before the call
    /// is no longer running and no sleep still holds it (the control thread uses this before closing
    /// what the forwarder used, or before another worker takes the forwarder over); false if that
    /// took longer than <paramref name="timeout"/> (upstream waits 1 s for its workers, §10.4).
    /// </summary>
    public bool WaitForPass(TimeSpan timeout)
    {
        if (Thread.CurrentThread == _thread) return true;
        long start = Volatile.Read(ref _passes);
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        Wake();
        var spin = new SpinWait();
        while (Volatile.Read(ref _passes) < start + 2 && _thread.IsAlive)
        {
            if (Environment.TickCount64 > deadline) return false;
            spin.SpinOnce();
        }
        return true;
    }

    /// <summary>
    /// Where the worker's time went since it started, as OVS's pmd-stats-show splits a PMD
    /// thread's cycles into processing and idle: passes that moved frames (busy), empty passes
    /// (idle polling), sleeps in poll(2), and passes that lost the CPU (stalled). Read by any
    /// thread; each field is at most one pass old.
    /// </summary>
    public WorkerLoad Load => new(Cpu,
        TicksToNs(Volatile.Read(ref _busyTicks)), TicksToNs(Volatile.Read(ref _idleTicks)),
        TicksToNs(Volatile.Read(ref _sleepTicks)), TicksToNs(Volatile.Read(ref _stallTicks)),
        Volatile.Read(ref _passes), Volatile.Read(ref _sleeps));

    private static long TicksToNs(long ticks) => (long)(ticks * (1e9 / Stopwatch.Frequency));

    /// <summary>Ends a sleep early: something changed (a device or port came or went).</summary>
    public void Wake() => _wake.Signal();

    private void Run()
    {
        ThreadId = Libc.GetTid();
        Pin(Cpu);
        var waitFds = new List<int>(MaxWaitFds);
        var pollFds = stackalloc PollFd[MaxWaitFds];
        int idle = 0;
        long passStart = Stopwatch.GetTimestamp();
        while (!_stopping)
        {
            var forwarders = _forwarders;
            Volatile.Write(ref _passes, _passes + 1);
            int moved = 0;
            foreach (var f in forwarders) moved += f.Poll();
            long now = Stopwatch.GetTimestamp();
            Account(now - passStart, ref moved > 0 ? ref _busyTicks : ref _idleTicks);
            passStart = now;
            if (moved > 0 || _mode == PollMode.Busy) { idle = 0; continue; }
            if (++idle < SpinPasses) continue;
            // After a sleep that timed out, nothing is expected: sleep again at once rather than
            // spin another run of empty passes (an idle daemon should cost nothing).
            idle = Sleep(forwarders, waitFds, pollFds) ? 0 : SpinPasses;
            now = Stopwatch.GetTimestamp();
            Volatile.Write(ref _sleepTicks, _sleepTicks + (now - passStart));
            Volatile.Write(ref _sleeps, _sleeps + 1);
            passStart = now;
        }
    }

    private void Account(long ticks, ref long bucket)
    {
        if (ticks > StallTicks) Volatile.Write(ref _stallTicks, _stallTicks + ticks);
        else Volatile.Write(ref bucket, bucket + ticks);
    }

    /// <summary>Sleeps until a wait fd is ready or the timeout passes; false if it timed out with nothing ready.</summary>
    private bool Sleep(Forwarder[] forwarders, List<int> waitFds, PollFd* pollFds)
    {
        waitFds.Clear();
        waitFds.Add(_wake.Fd);
        foreach (var f in forwarders) f.PrepareSleep(waitFds);
        // Work may have arrived between the last pass and arming the notifications.
        int moved = 0;
        foreach (var f in forwarders) moved += f.Poll();
        int ready = 1;
        if (moved == 0)
        {
            int n = Math.Min(waitFds.Count, MaxWaitFds);
            for (int i = 0; i < n; i++) pollFds[i] = new PollFd { Fd = waitFds[i], Events = Libc.POLLIN };
            ready = Libc.Poll(pollFds, (nuint)n, SleepTimeoutMs);
            _wake.Drain();
        }
        foreach (var f in forwarders) f.EndSleep();
        return ready != 0;
    }

    private static void Pin(int cpu)
    {
        try { CpuAffinity.PinCurrentThread(cpu); }
        catch (SystemCallException e) { Log.Warning($"cannot pin worker to CPU {cpu}: {e.Message}"); }
    }

    public void Dispose()
    {
        _stopping = true;
        Wake();
        _thread.Join();
        _wake.Dispose();
    }
}

/// <summary>A worker's time since it started, in nanoseconds, by what it did (<see cref="Worker.Load"/>).</summary>
public sealed record WorkerLoad(int Cpu, long BusyNs, long IdleNs, long SleepNs, long StalledNs, long Passes, long Sleeps);
