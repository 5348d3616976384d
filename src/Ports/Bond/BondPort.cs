using System.Text;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Bond.Lacp;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// A bond of member ports behaving as one port, as DPDK's bonding driver does in its modes 0–6
/// (<see cref="BondMode"/>). The bond owns its members and closes them with itself.
/// <para>
/// The data path lives in the bond's queues (<see cref="BondQueue"/>): as many as its members
/// have (the fewest, if they differ), bond queue i receiving from and sending through queue i of
/// every member, as DPDK maps them; a bond with one queue is its own queue 0. Receive gathers
/// from every member that may carry traffic, starting at the next member each call. AcquireTx
/// lends the bond's own buffers, because which member sends a frame is only known once it is
/// filled; Transmit then copies each frame into a buffer of the member(s) the mode picks, one copy
/// as a NIC's DMA would make. Which members carry and receive is decided by the tick
/// (<see cref="BondTicker"/>), once for all queues, and published as arrays the queues read
/// without locks; link monitoring and LACP are the bond's, not a queue's.
/// </para>
/// </summary>
public sealed unsafe partial class BondPort : IPort
{
    /// <summary>Most frames one call moves: the size of a port's buffer set.</summary>
    public const int MaxBatch = FrameBuffers.DefaultCount;

    private readonly BondMember[] _members;
    private readonly BondQueue[] _queues;
    // Serialises the tick with LACP and Marker frames arriving on the receiving threads.
    private readonly Lock _control = new();
    // Published by the tick (Volatile.Write), read by the data path without locks.
    private int[] _carriers = [], _receivers = [];
    private long _txNoMemberDrops, _rxNotCollectingDrops;
    private bool _disposed;

    /// <summary>
    /// Bonds <paramref name="members"/> (at least two, each owned by the bond from now on) under
    /// <paramref name="name"/>; the bond's system address for LACP is derived from the name. Its
    /// buffers hold <paramref name="frameCapacity"/> bytes, or a whole GSO frame when every member
    /// carries offloads (then so does the bond).
    /// </summary>
    public BondPort(string name, IReadOnlyList<IPort> members, BondOptions options, int frameCapacity = PortFactory.DefaultFrameCapacity)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(options);
        if (members.Count < BondOptions.MinMembers)
            throw new ArgumentException($"bond '{name}': {members.Count} member(s); a bond needs at least {BondOptions.MinMembers}", nameof(members));
        if (members.Count > byte.MaxValue)
            throw new ArgumentException($"bond '{name}': more than {byte.MaxValue} members", nameof(members));
        Name = name;
        Options = options;
        var system = SystemAddress(name);
        _members = new BondMember[members.Count];
        for (int i = 0; i < members.Count; i++) _members[i] = new BondMember(members[i], i, new MacAddress(system.Value + (ulong)i + 1));
        NumaNode = members.Select(m => m.NumaNode).FirstOrDefault(node => node >= 0, -1);
        CarriesOffloads = members.All(m => m.CarriesOffloads);
        _queues = CreateQueues(CarriesOffloads ? Math.Max(frameCapacity, VirtioNetHeader.MaxGsoFrame) : frameCapacity);
        if (options.Mode == BondMode.Lacp8023ad) _lacp = new LacpGroup(system, members.Count, options.LacpShortTimeout);
        if (options.Mode == BondMode.Alb) Alb = new AlbClients([.. _members.Select(m => m.Address)]);
        _up = new bool[members.Count];
        _scratch = new int[members.Count];
        _loadWindowStart = new long[members.Count];
        Tick();
        BondTicker.Add(this);
    }

    public string Name { get; }

    public BondOptions Options { get; }

    /// <summary>The members as given, in order (the first is active-backup's primary).</summary>
    public IReadOnlyList<IPort> Members => [.. _members.Select(m => m.Port)];

    /// <summary>The first member's known NUMA node (members of one bond are ports of one NIC, as a rule); -1 if none is known.</summary>
    public int NumaNode { get; }

    /// <summary>Every member carries offloads, so the bond passes each frame's offload state through to the member that sends it.</summary>
    public bool CarriesOffloads { get; }

    /// <summary>The bond's queues, bond queue i over queue i of each member, when there are several; empty for a bond with one.</summary>
    public IReadOnlyList<IPort> Queues => _queues.Length > 1 ? _queues : [];

    /// <summary>Any member may carry traffic: a link is up (802.3ad: a link is distributing).</summary>
    public bool LinkUp => Volatile.Read(ref _carriers).Length > 0;

    /// <summary>Queue 0's epoll fd over the receiving members' fds, or -1 when some member must be polled.</summary>
    public int ReadinessFd => _queues[0].ReadinessFd;

    /// <summary>Queue 0's frames refused for their length (<see cref="IPort.TxOversize"/>); each queue counts its own.</summary>
    public long TxOversize => _queues[0].TxOversize;

    /// <summary>Queue 0's members' receive-ring drops (<see cref="IPort.RxMissed"/>); each queue counts its own.</summary>
    public long RxMissed => _queues[0].RxMissed;

    /// <summary>Indices of the members frames are sent on now (active-backup: the active one; TLB: least loaded first).</summary>
    public IReadOnlyList<int> TransmittingMembers => Volatile.Read(ref _carriers);

    /// <summary>Indices of the members frames are received from now.</summary>
    public IReadOnlyList<int> ReceivingMembers => Volatile.Read(ref _receivers);

    /// <summary>Frames dropped because no member could send them (all links down, or none distributing).</summary>
    public long TxNoMemberDrops => Volatile.Read(ref _txNoMemberDrops);

    /// <summary>Frames longer than a member's buffers or MTU allow, dropped (every queue's).</summary>
    public long TxOversizeDrops => _queues.Sum(q => q.TxOversize);

    /// <summary>802.3ad: data frames that arrived on a link not collecting, dropped as the standard requires.</summary>
    public long RxNotCollectingDrops => Volatile.Read(ref _rxNotCollectingDrops);

    internal int[] Carriers => Volatile.Read(ref _carriers);

    internal int[] Receivers => Volatile.Read(ref _receivers);

    /// <summary>ALB's client table, shared by the queues; null in other modes.</summary>
    internal AlbClients? Alb { get; }

    public int Receive(Span<Frame> frames) => _queues[0].Receive(frames);

    public int AcquireTx(Span<Frame> frames) => _queues[0].AcquireTx(frames);

    public int Transmit(Span<Frame> frames, int count) => _queues[0].Transmit(frames, count);

    internal void CountNoMember(int frames) => Interlocked.Add(ref _txNoMemberDrops, frames);

    /// <summary>What of the frames just received from <paramref name="member"/> goes up (802.3ad: see KeepCollected), ALB's destinations restored; returns how many, moved to the front.</summary>
    internal int Admit(BondMember member, Span<Frame> frames)
    {
        int kept = _lacp is null ? frames.Length : KeepCollected(member, frames);
        Alb?.RestoreDestinations(frames[..kept]);
        return kept;
    }

    public void Dispose()
    {
        BondTicker.Remove(this);
        lock (_control)
        {
            if (_disposed) return;
            _disposed = true;
        }
        if (_queues.Length > 1)
            Log.Info($"bond {Name} closed: {string.Join("; ", _queues.Select((q, i) => $"queue {i} received {q.Received}, sent {q.Sent}"))}");
        foreach (var m in _members) m.Port.Dispose();
        foreach (var q in _queues) q.Dispose();
    }

    /// <summary>
    /// Bond queue i over member queue i of each member; a member with more queues than the bond
    /// has (the fewest any member has) gives its extra queues' frames to bond queue i modulo the count.
    /// </summary>
    private BondQueue[] CreateQueues(int frameCapacity)
    {
        int[] counts = [.. _members.Select(m => m.Queues.Count)];
        int n = counts.Min();
        if (counts.Any(count => count != n))
            Log.Notice($"bond {Name}: its members have {string.Join(", ", counts)} queues; the bond has {n}, queue i also receiving from the members' queues i + {n}, i + 2×{n}…");
        else if (n > 1)
            Log.Info($"bond {Name}: {n} queues, bond queue i over queue i of each member");
        var queues = new BondQueue[n];
        for (int q = 0; q < n; q++)
        {
            var lanes = _members.Select(m => new BondLane(m, m.Queues[q], [.. m.Queues.Where((_, j) => j % n == q)])).ToArray();
            queues[q] = new BondQueue(this, q, lanes, frameCapacity);
        }
        return queues;
    }

    /// <summary>A locally administered unicast address from the bond's name (FNV-1a), stable across restarts; members add their number.</summary>
    private static MacAddress SystemAddress(string name)
    {
        ulong hash = 0xcbf29ce484222325;
        foreach (byte b in Encoding.UTF8.GetBytes(name)) hash = (hash ^ b) * 0x100000001b3;
        // 02:xx:xx:xx:xx:00, leaving the last octet for member numbers.
        return new MacAddress(0x0200_0000_0000UL | ((hash & 0xFFFF_FFFF) << 8));
    }
}
