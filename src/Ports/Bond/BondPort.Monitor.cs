using System.Diagnostics;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// The tick: reads the members' links, runs the mode's choice of carriers (LACP included) and
/// publishes it. Runs on <see cref="BondTicker"/>'s thread under the control lock.
/// </summary>
public sealed partial class BondPort
{
    private readonly bool[] _up;
    private readonly int[] _scratch;
    private readonly long[] _loadWindowStart;
    private int _ticksInLoadWindow;
    private int _active = -1;

    internal void Tick()
    {
        lock (_control)
        {
            if (_disposed) return;
            long now = Stopwatch.GetTimestamp();
            for (int i = 0; i < _members.Length; i++) _up[i] = _members[i].Port.LinkUp;
            switch (Options.Mode)
            {
                case BondMode.ActiveBackup:
                    _active = ChooseActive();
                    Publish(ref _carriers, _active < 0 ? [] : [_active]);
                    Publish(ref _receivers, _carriers);
                    break;
                case BondMode.Tlb:
                    _active = ChooseActive();
                    Publish(ref _carriers, UpByLoad());
                    Publish(ref _receivers, _active < 0 ? [] : [_active]);
                    break;
                case BondMode.Alb:
                    Publish(ref _carriers, UpByLoad());
                    Publish(ref _receivers, UpMembers());
                    break;
                case BondMode.Lacp8023ad:
                    RunLacp(now);
                    Publish(ref _receivers, UpMembers());
                    break;
                default:
                    Publish(ref _carriers, UpMembers());
                    Publish(ref _receivers, _carriers);
                    break;
            }
            foreach (var queue in _queues) queue.WatchOnly(_receivers);
        }
    }

    /// <summary>Active-backup's member: the primary (first) whenever it is up, else the current one while up, else the next one up after it.</summary>
    private int ChooseActive()
    {
        if (_up[0]) return 0;
        if (_active >= 0 && _up[_active]) return _active;
        int from = Math.Max(_active, 0);
        for (int k = 1; k <= _members.Length; k++)
        {
            int i = (from + k) % _members.Length;
            if (_up[i]) return i;
        }
        return -1;
    }

    private ReadOnlySpan<int> UpMembers()
    {
        int n = 0;
        for (int i = 0; i < _members.Length; i++)
            if (_up[i]) _scratch[n++] = i;
        return _scratch.AsSpan(0, n);
    }

    /// <summary>
    /// TLB/ALB: the members up, least loaded first, load being the bytes sent (on all queues) in the current window
    /// of up to 10 ticks (DPDK reorders every 10 ms over a 100 ms window, by bandwidth left; members
    /// here report no speed, so all count as equal).
    /// </summary>
    private ReadOnlySpan<int> UpByLoad()
    {
        const int TicksPerLoadWindow = 10;
        bool windowEnds = ++_ticksInLoadWindow >= TicksPerLoadWindow;
        Span<long> load = stackalloc long[_members.Length];
        for (int i = 0; i < _members.Length; i++)
        {
            long sent = 0;
            foreach (var queue in _queues) sent += Volatile.Read(ref queue.Lane(i).TxBytes);
            load[i] = sent - _loadWindowStart[i];
            if (windowEnds) _loadWindowStart[i] = sent;
        }
        if (windowEnds) _ticksInLoadWindow = 0;
        var up = UpMembers();
        // Insertion sort: a handful of members; stable, so equal loads keep member order.
        for (int i = 1; i < up.Length; i++)
        {
            int m = up[i], j = i - 1;
            while (j >= 0 && load[_scratch[j]] > load[m]) { _scratch[j + 1] = _scratch[j]; j--; }
            _scratch[j + 1] = m;
        }
        return up;
    }

    /// <summary>Replaces the published array only when the members differ, so steady state allocates nothing.</summary>
    private static void Publish(ref int[] published, ReadOnlySpan<int> members)
    {
        if (!members.SequenceEqual(Volatile.Read(ref published))) Volatile.Write(ref published, members.ToArray());
    }
}
