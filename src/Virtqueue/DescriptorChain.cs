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
/// Walks one descriptor chain (virtio 1.2 §2.7.5), following at most one indirect table
/// (§2.7.5.3), and hands out its buffers translated to host pointers. Everything the guest
/// wrote is distrusted: each descriptor is read once into a local (the guest may be rewriting
/// it), every index and buffer is checked, and a chain visiting more descriptors than its table
/// holds must loop. On the first problem the walk stops and <see cref="Fault"/> says why.
/// </summary>
internal unsafe struct DescriptorChain
{
    private readonly GuestMemory _memory;
    private readonly bool _indirectAllowed;
    private readonly bool _deviceWrites;
    private VringDesc* _table;
    private uint _tableSize;
    private uint _next;
    private uint _visited;
    private bool _more;
    private bool _inIndirect;
    private VringDesc _faultDesc;

    /// <param name="deviceWrites">True for a receive chain (every buffer device-writable), false for a transmit chain (every buffer device-readable).</param>
    public DescriptorChain(GuestMemory memory, VringDesc* ring, uint ringSize, ushort head, bool indirectAllowed, bool deviceWrites)
    {
        _memory = memory;
        _indirectAllowed = indirectAllowed;
        _deviceWrites = deviceWrites;
        _table = ring;
        _tableSize = ringSize;
        _next = head;
        _more = true;
    }

    public ChainFault Fault { get; private set; }

    /// <summary>The next buffer; false at the end of the chain or on a fault.</summary>
    public bool TryNext(out BufferSegment segment)
    {
        segment = default;
        while (_more)
        {
            if (_next >= _tableSize) return Fail(ChainFault.IndexOutOfRange, default);
            if (++_visited > _tableSize) return Fail(ChainFault.Loop, default);
            VringDesc d = _table[_next];
            if ((d.Flags & RingLayout.DescIndirect) != 0)
            {
                if (!EnterIndirect(d)) return false;
                continue;
            }
            // §2.7.5: a buffer is either device-readable or device-writable; a net chain is one or the other throughout.
            if (((d.Flags & RingLayout.DescWrite) != 0) != _deviceWrites) return Fail(ChainFault.WrongDirection, d);
            byte* host = null;
            if (d.Len != 0 && (host = _memory.GpaToHost(d.Addr, d.Len)) == null) return Fail(ChainFault.Unmapped, d);
            _more = (d.Flags & RingLayout.DescNext) != 0;
            _next = d.Next;
            segment = new BufferSegment(host, d.Addr, d.Len);
            return true;
        }
        return false;
    }

    /// <summary>Switches to the table an indirect descriptor names (§2.7.5.3.1 driver rules, enforced).</summary>
    private bool EnterIndirect(in VringDesc d)
    {
        if (!_indirectAllowed) return Fail(ChainFault.IndirectNotNegotiated, d);
        if (_inIndirect) return Fail(ChainFault.NestedIndirect, d);
        if ((d.Flags & RingLayout.DescNext) != 0) return Fail(ChainFault.IndirectWithNext, d);
        if (d.Len == 0 || d.Len % RingLayout.DescSize != 0 || d.Len / RingLayout.DescSize > RingLayout.MaxIndirectEntries)
            return Fail(ChainFault.BadIndirectTable, d);
        byte* table = _memory.GpaToHost(d.Addr, d.Len);
        if (table == null) return Fail(ChainFault.Unmapped, d);
        _table = (VringDesc*)table;
        _tableSize = d.Len / RingLayout.DescSize;
        _next = 0;
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
