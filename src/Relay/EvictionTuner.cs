namespace VirtioForwarder.Relay;

/// <summary>
/// Decides, by trying, whether a VM→host direction should evict the guest's transmit buffers from
/// the cache once it has copied them (<see cref="Virtqueue.GuestQueue.EvictCopiedFrames"/>).
/// </summary>
/// <remarks>
/// Reading a frame leaves its lines in this CPU's cache, so the guest's next write to that buffer
/// must first invalidate our copy: a round trip between the two CPUs, which costs the guest far
/// more when they sit in different last-level caches (or sockets) than when they share one.
/// Evicting after the copy, as a NIC's DMA read leaves no copy in a CPU's cache, makes that write
/// a plain miss instead, at the price of an eviction per line here. Measured on the 2-CPU bench VM
/// with testpmd txonly as the guest (docs/bench): CPUs far apart, the guest sent 20 % more
/// (13.3-15.1 Mpps against 15.3-18.6); near, the eviction cost us a quarter (33.9 against 25.7).
/// Neither side's placement is known here, and the host may move vCPUs, so the tuner measures:
/// it holds a mode for about a second, then compares the frame rate of a few short windows in
/// the current mode with a few in the other, and keeps whichever moved more frames by
/// <see cref="Margin"/>. A window with too few frames (light traffic, where nothing is to be won)
/// or that lasted far longer than asked (traffic paused, or the worker lost its CPU) voids the
/// trial. The caller gives the time (any monotonic tick), so tests can drive it.
/// </remarks>
public sealed class EvictionTuner(long windowTicks, int holdWindows = 200)
{
    public const int MeasuredWindows = 4;
    /// <summary>How much more the other mode must move to be kept: windows vary by a few percent.</summary>
    public const double Margin = 1.05;
    /// <summary>Fewer frames a window than this and the rate says nothing worth acting on.</summary>
    public const int MinFramesPerWindow = 1000;

    private enum Phase { Hold, Baseline, Settle, Trial }

    private Phase _phase;
    private int _windows;
    private long _windowStart = -1;
    private long _frames;
    private double _baseline, _trial;

    /// <summary>Whether copied frames are evicted now.</summary>
    public bool Evicting { get; private set; }

    /// <summary>Trials that kept the other mode (the tests read it; the stats show only <see cref="Evicting"/>).</summary>
    public long Switches { get; private set; }

    /// <summary>Accounts <paramref name="frames"/> moved at time <paramref name="now"/>.</summary>
    public void Record(int frames, long now)
    {
        if (_windowStart < 0) _windowStart = now;
        _frames += frames;
        long elapsed = now - _windowStart;
        if (elapsed < windowTicks) return;
        bool valid = elapsed <= 3 * windowTicks && _frames >= MinFramesPerWindow;
        double rate = (double)_frames / elapsed;
        _frames = 0;
        _windowStart = now;
        EndWindow(valid, rate);
    }

    private void EndWindow(bool valid, double rate)
    {
        _windows++;
        switch (_phase)
        {
            case Phase.Hold:
                if (_windows >= holdWindows) Enter(Phase.Baseline);
                break;
            case Phase.Baseline:
                if (!valid) { Enter(Phase.Baseline); break; }
                _baseline += rate;
                if (_windows == MeasuredWindows)
                {
                    Evicting = !Evicting;
                    Enter(Phase.Settle);
                }
                break;
            case Phase.Settle:
                Enter(Phase.Trial);
                break;
            case Phase.Trial:
                if (!valid) { Decide(keep: false); break; }
                _trial += rate;
                if (_windows == MeasuredWindows) Decide(keep: _trial > _baseline * Margin);
                break;
        }
    }

    private void Decide(bool keep)
    {
        if (keep) Switches++;
        else Evicting = !Evicting;
        Enter(Phase.Hold);
    }

    private void Enter(Phase phase)
    {
        _phase = phase;
        _windows = 0;
        _baseline = phase == Phase.Baseline ? 0 : _baseline;
        _trial = 0;
    }
}
