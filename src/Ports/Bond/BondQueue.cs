using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// One queue of a bond, over the same queue of every member (<see cref="BondLane"/>), as DPDK's
/// bonding driver maps bond queue i to member queue i. The mode's choices come from what the
/// bond's tick published, read without locks. A bond with several queues lists them in
/// <see cref="IPort.Queues"/> and the relay drives each from its guest queue pair, possibly on
/// different threads: what one queue changes on the data path (receive rotation, round-robin
/// position, buffers, counters) is its own; what the queues share is read-only there, but for
/// the rare LACP/Marker frames (the bond's lock) and ALB's ARP replies (its client table's).
/// </summary>
internal sealed unsafe partial class BondQueue : IPort
{
    private readonly BondPort _bond;
    // By member index.
    private readonly BondLane[] _lanes;
    private readonly FrameBuffers _tx;
    private readonly MemberReadiness? _readiness;
    private int _rxNext;
    private long _received, _sent, _txOversize;

    public BondQueue(BondPort bond, int index, BondLane[] lanes, int frameCapacity)
    {
        _bond = bond;
        _lanes = lanes;
        Name = index == 0 ? bond.Name : $"{bond.Name} queue {index}";
        _tx = new FrameBuffers(frameCapacity);
        // A member queue that must be polled (no fd) makes the bond queue one that must be polled.
        if (lanes.All(lane => lane.Rx.All(port => port.ReadinessFd >= 0)))
            _readiness = new MemberReadiness([.. lanes.Select(lane => lane.Rx.Select(port => port.ReadinessFd).ToArray())]);
    }

    public string Name { get; }

    public bool LinkUp => _bond.LinkUp;

    /// <summary>An epoll fd over the receiving members' queues' fds, or -1 when one of them must be polled.</summary>
    public int ReadinessFd => _readiness?.Fd ?? -1;

    public bool CarriesOffloads => _bond.CarriesOffloads;

    public long TxOversize => Volatile.Read(ref _txOversize);

    /// <summary>
    /// What the kernel dropped with a receive ring full, summed over the member queues this queue
    /// reads, a backup's too (as DPDK's bond sums its members' imissed): a member not received
    /// from now (active-backup's backup) fills its ring and counts what it then drops.
    /// </summary>
    public long RxMissed
    {
        get
        {
            long missed = 0;
            foreach (var lane in _lanes)
                foreach (var port in lane.Rx) missed += port.RxMissed;
            return missed;
        }
    }

    public int NumaNode => _bond.NumaNode;

    /// <summary>Frames this queue handed up, and frames it sent (on any member).</summary>
    public long Received => Volatile.Read(ref _received);
    public long Sent => Volatile.Read(ref _sent);

    public BondLane Lane(int member) => _lanes[member];

    /// <summary>Watches exactly the listed members' queues for readiness (the tick, under the bond's lock).</summary>
    public void WatchOnly(ReadOnlySpan<int> members) => _readiness?.WatchOnly(members);

    /// <summary>Gathers from every member the bond receives from now, starting at the next member each call.</summary>
    public int Receive(Span<Frame> frames)
    {
        var receivers = _bond.Receivers;
        if (receivers.Length == 0) return 0;
        int start = _rxNext % receivers.Length;
        _rxNext = start + 1;
        int n = 0;
        for (int k = 0; k < receivers.Length && n < frames.Length; k++)
        {
            var lane = _lanes[receivers[(start + k) % receivers.Length]];
            foreach (var port in lane.Rx)
            {
                if (n == frames.Length) break;
                int got = port.Receive(frames[n..]);
                n += _bond.Admit(lane.Member, frames.Slice(n, got));
            }
        }
        _received += n;
        return n;
    }

    public void Dispose()
    {
        _readiness?.Dispose();
        _tx.Dispose();
    }
}
