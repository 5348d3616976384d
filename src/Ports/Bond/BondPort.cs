using System.Text;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Bond.Lacp;

namespace VirtioForwarder.Ports.Bond;

/// <summary>
/// A bond of member ports behaving as one port, as DPDK's bonding driver does in its modes 0–6
/// (<see cref="BondMode"/>). The bond owns its members and closes them with itself.
/// <para>
/// Receive gathers from every member that may carry traffic, starting at the next member each
/// call. AcquireTx lends the bond's own buffers, because which member sends a frame is only known
/// once it is filled; Transmit then copies each frame into a buffer of the member(s) the mode
/// picks, one copy as a NIC's DMA would make. Which members carry and receive is decided by the
/// tick (<see cref="BondTicker"/>) and published as arrays the data path reads without locks.
/// </para>
/// </summary>
public sealed unsafe partial class BondPort : IPort
{
    /// <summary>Most frames one call moves: the size of a port's buffer set.</summary>
    public const int MaxBatch = FrameBuffers.DefaultCount;

    private readonly BondMember[] _members;
    private readonly FrameBuffers _tx;
    private readonly MemberReadiness? _readiness;
    // Serialises the tick with LACP and Marker frames arriving on the receiving thread.
    private readonly Lock _control = new();
    // Published by the tick (Volatile.Write), read by the data path without locks.
    private int[] _carriers = [], _receivers = [];
    private int _rxNext;
    private long _txNoMemberDrops, _txOversizeDrops, _rxNotCollectingDrops;
    private bool _disposed;

    /// <summary>
    /// Bonds <paramref name="members"/> (at least two, each owned by the bond from now on) under
    /// <paramref name="name"/>; the bond's system address for LACP is derived from the name.
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
        _tx = new FrameBuffers(frameCapacity);
        NumaNode = members.Select(m => m.NumaNode).FirstOrDefault(node => node >= 0, -1);
        if (options.Mode == BondMode.Lacp8023ad) _lacp = new LacpGroup(system, members.Count, options.LacpShortTimeout);
        if (options.Mode == BondMode.Alb) _albClients = new AlbClients([.. _members.Select(m => m.Address)]);
        _up = new bool[members.Count];
        _scratch = new int[members.Count];
        _loadWindowStart = new long[members.Count];
        // A member that must be polled (no fd) makes the whole bond one that must be polled.
        if (members.All(m => m.ReadinessFd >= 0)) _readiness = new MemberReadiness([.. members.Select(m => m.ReadinessFd)]);
        Tick();
        BondTicker.Add(this);
    }

    public string Name { get; }

    public BondOptions Options { get; }

    /// <summary>The members as given, in order (the first is active-backup's primary).</summary>
    public IReadOnlyList<IPort> Members => [.. _members.Select(m => m.Port)];

    /// <summary>The first member's known NUMA node (members of one bond are ports of one NIC, as a rule); -1 if none is known.</summary>
    public int NumaNode { get; }

    /// <summary>Any member may carry traffic: a link is up (802.3ad: a link is distributing).</summary>
    public bool LinkUp => Volatile.Read(ref _carriers).Length > 0;

    /// <summary>An epoll fd over the receiving members' fds, or -1 when some member must be polled.</summary>
    public int ReadinessFd => _readiness?.Fd ?? -1;

    /// <summary>Indices of the members frames are sent on now (active-backup: the active one; TLB: least loaded first).</summary>
    public IReadOnlyList<int> TransmittingMembers => Volatile.Read(ref _carriers);

    /// <summary>Indices of the members frames are received from now.</summary>
    public IReadOnlyList<int> ReceivingMembers => Volatile.Read(ref _receivers);

    /// <summary>Frames dropped because no member could send them (all links down, or none distributing).</summary>
    public long TxNoMemberDrops => Volatile.Read(ref _txNoMemberDrops);

    /// <summary>Frames longer than a member's buffers, dropped.</summary>
    public long TxOversizeDrops => Volatile.Read(ref _txOversizeDrops);

    /// <summary>802.3ad: data frames that arrived on a link not collecting, dropped as the standard requires.</summary>
    public long RxNotCollectingDrops => Volatile.Read(ref _rxNotCollectingDrops);

    public int Receive(Span<Frame> frames)
    {
        var receivers = Volatile.Read(ref _receivers);
        if (receivers.Length == 0) return 0;
        int start = _rxNext % receivers.Length;
        _rxNext = start + 1;
        int n = 0;
        for (int k = 0; k < receivers.Length && n < frames.Length; k++)
        {
            var member = _members[receivers[(start + k) % receivers.Length]];
            int got = member.Port.Receive(frames[n..]);
            if (_lacp is not null) got = KeepCollected(member, frames.Slice(n, got));
            _albClients?.RestoreDestinations(frames.Slice(n, got));
            n += got;
        }
        return n;
    }

    public int AcquireTx(Span<Frame> frames) => _tx.Lend(frames);

    public void Dispose()
    {
        BondTicker.Remove(this);
        lock (_control)
        {
            if (_disposed) return;
            _disposed = true;
        }
        foreach (var m in _members) m.Port.Dispose();
        _readiness?.Dispose();
        _tx.Dispose();
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
