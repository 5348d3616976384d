using VirtioForwarder.Memory;

namespace VirtioForwarder.Virtqueue;

/// <summary>One buffer of a chain, already bounds-checked: <see cref="Host"/> is valid for <see cref="Length"/> bytes (null when 0).</summary>
internal readonly unsafe struct BufferSegment(byte* host, ulong gpa, uint length)
{
    public readonly byte* Host = host;
    public readonly ulong Gpa = gpa;
    public readonly uint Length = length;
}

internal enum ChainFault { None, IndexOutOfRange, Loop, Unmapped, IndirectNotNegotiated, IndirectWithNext, NestedIndirect, BadIndirectTable, WrongDirection }

/// <summary>
/// Walks one descriptor chain of a split ring (virtio 1.2 §2.7.5, following <c>next</c>) or of a
/// packed ring (§2.8.6, consecutive descriptors, wrapping at the ring's end), following at most
/// one indirect table (§2.7.5.3, §2.8.19), and hands out its buffers translated to host pointers.
/// Everything the guest wrote is distrusted: each descriptor is read once into a local (the guest
/// may be rewriting it), every index and buffer is checked, and a chain visiting more descriptors
/// than its table holds must loop. On the first problem the walk stops and <see cref="Fault"/> says why.
/// </summary>
internal unsafe struct DescriptorChain
{
    private readonly GuestMemory _memory;
    private readonly bool _indirectAllowed;
    private readonly bool _deviceWrites;
    private readonly bool _packed;
    private VringDesc* _table;
    private uint _tableSize;
    private uint _next;
    private uint _visited;
    private uint _ringVisited;
    private bool _more;
    private bool _inIndirect;
    private VringDesc _faultDesc;

    /// <param name="deviceWrites">True for a receive chain (every buffer device-writable), false for a transmit chain (every buffer device-readable).</param>
    /// <param name="packed">The ring is packed: <paramref name="head"/> is the slot of the chain's first descriptor.</param>
    public DescriptorChain(GuestMemory memory, VringDesc* ring, uint ringSize, ushort head, bool indirectAllowed, bool deviceWrites, bool packed = false)
    {
        _memory = memory;
        _indirectAllowed = indirectAllowed;
        _deviceWrites = deviceWrites;
        _packed = packed;
        _table = ring;
        _tableSize = ringSize;
        _next = head;
        _more = true;
    }

    public ChainFault Fault { get; private set; }

    /// <summary>Packed rings: descriptors the chain took in the ring (an indirect table counts as one), by which the device moves on (§2.8.6).</summary>
    public readonly uint RingDescriptors => _packed && !_inIndirect ? _visited : _ringVisited;

    /// <summary>Packed rings: the buffer ID, carried by the chain's last descriptor in the ring (§2.8.6).</summary>
    public ushort BufferId { get; private set; }

    /// <summary>The next buffer; false at the end of the chain or on a fault.</summary>
    public bool TryNext(out BufferSegment segment)
    {
        segment = default;
        while (_more)
        {
            if (_next >= _tableSize) return Fail(ChainFault.IndexOutOfRange, default);
            if (++_visited > _tableSize) return Fail(ChainFault.Loop, default);
            VringDesc d = _table[_next];
            ushort flags = Flags(d);
            if (_packed && !_inIndirect) BufferId = d.Flags; // the id field, at a split descriptor's flags
            if ((flags & RingLayout.DescIndirect) != 0)
            {
                if (!EnterIndirect(d, flags)) return false;
                continue;
            }
            // §2.7.5: a buffer is either device-readable or device-writable; a net chain is one or the other throughout.
            if (((flags & RingLayout.DescWrite) != 0) != _deviceWrites) return Fail(ChainFault.WrongDirection, d);
            byte* host = null;
            if (d.Len != 0 && (host = _memory.GpaToHost(d.Addr, d.Len)) == null) return Fail(ChainFault.Unmapped, d);
            _more = (flags & RingLayout.DescNext) != 0;
            _next = Successor(d);
            segment = new BufferSegment(host, d.Addr, d.Len);
            return true;
        }
        return false;
    }

    /// <summary>
    /// A packed descriptor is laid out addr, len, id, flags (§2.8.13): its flags sit where a split
    /// one has <c>next</c>. In a packed indirect table only WRITE counts, the entries run to the
    /// table's end, and NEXT and INDIRECT are reserved, ignored (§2.8.19).
    /// </summary>
    private readonly ushort Flags(in VringDesc d)
    {
        if (!_packed) return d.Flags;
        if (!_inIndirect) return d.Next;
        ushort next = _next + 1 < _tableSize ? RingLayout.DescNext : (ushort)0;
        return (ushort)(d.Next & RingLayout.DescWrite | next);
    }

    private readonly uint Successor(in VringDesc d) =>
        !_packed ? d.Next : _inIndirect || _next + 1 < _tableSize ? _next + 1 : 0;

    /// <summary>Switches to the table an indirect descriptor names (§2.7.5.3.1 driver rules, enforced).</summary>
    private bool EnterIndirect(in VringDesc d, ushort flags)
    {
        if (!_indirectAllowed) return Fail(ChainFault.IndirectNotNegotiated, d);
        if (_inIndirect) return Fail(ChainFault.NestedIndirect, d);
        if ((flags & RingLayout.DescNext) != 0) return Fail(ChainFault.IndirectWithNext, d);
        if (d.Len == 0 || d.Len % RingLayout.DescSize != 0 || d.Len / RingLayout.DescSize > RingLayout.MaxIndirectEntries)
            return Fail(ChainFault.BadIndirectTable, d);
        byte* table = _memory.GpaToHost(d.Addr, d.Len);
        if (table == null) return Fail(ChainFault.Unmapped, d);
        _table = (VringDesc*)table;
        _tableSize = d.Len / RingLayout.DescSize;
        _next = 0;
        _ringVisited = _visited;
        _visited = 0;
        _inIndirect = true;
        return true;
    }

    private bool Fail(ChainFault fault, in VringDesc d)
    {
        Fault = fault;
        _faultDesc = d;
        _more = false;
        return false;
    }

    /// <summary>What went wrong, for the queue's broken reason (control path: allocates).</summary>
    public readonly string Describe(ushort head)
    {
        string where = $"chain at head {head}: {(_inIndirect ? "indirect " : "")}descriptor {_next}";
        var d = _faultDesc;
        return Fault switch
        {
            ChainFault.IndexOutOfRange => $"{where} is outside its table of {_tableSize}",
            ChainFault.Loop => $"{where}: chain longer than its table of {_tableSize} (a loop)",
            ChainFault.Unmapped => $"{where}: buffer 0x{d.Addr:x} length {d.Len} is not in guest memory",
            ChainFault.IndirectNotNegotiated => $"{where} is indirect but VIRTIO_F_INDIRECT_DESC was not negotiated",
            ChainFault.IndirectWithNext => $"{where} has both INDIRECT and NEXT set",
            ChainFault.NestedIndirect => $"{where} is indirect inside an indirect table",
            ChainFault.BadIndirectTable => $"{where}: indirect table length {d.Len} is not a non-zero multiple of {RingLayout.DescSize} up to {RingLayout.MaxIndirectEntries} entries",
            ChainFault.WrongDirection => $"{where} is device-{(_deviceWrites ? "readable in a receive" : "writable in a transmit")} chain",
            _ => throw new InvalidOperationException("the chain has no fault"),
        };
    }
}
