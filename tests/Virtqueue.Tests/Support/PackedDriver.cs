namespace VirtioForwarder.Virtqueue.Tests.Support;

/// <summary>
/// The driver side of one packed virtqueue, as a guest would run it (virtio 1.2 §2.8.21): the
/// descriptor ring and both event suppression areas in <see cref="GuestRam"/> region 0, buffers
/// from a bump allocator after them, buffer IDs handed out in order. Raw accessors let tests
/// write malformed rings too.
/// </summary>
public sealed unsafe class PackedDriver
{
    public const ulong DescGpa = 0x1000;
    public const ushort Next = 1, Write = 2, Indirect = 4, Avail = 1 << 7, Used = 1 << 15;
    public const ushort EventEnable = 0, EventDisable = 1, EventDesc = 2;

    private readonly GuestRam _ram;
    private readonly Dictionary<ushort, int> _chainLength = [];
    private readonly GuestHeap _heap;
    private ushort _nextId;
    private ushort _usedSlot;
    private bool _usedWrap = true;

    public PackedDriver(GuestRam ram, ushort size)
    {
        _ram = ram;
        Size = size;
        DriverEventGpa = DescGpa + 16ul * size;
        DeviceEventGpa = DriverEventGpa + 4;
        _heap = new GuestHeap(ram, (DeviceEventGpa + 4 + 4095) & ~4095ul);
    }

    public ushort Size { get; }
    public ulong DriverEventGpa { get; }
    public ulong DeviceEventGpa { get; }

    /// <summary>The next slot the driver fills and its wrap counter (§2.8.1).</summary>
    public ushort AvailSlot { get; private set; }
    public bool AvailWrap { get; private set; } = true;

    /// <summary>SET_VRING_BASE's value for where the driver is: slot in bits 0-14, wrap counter in bit 15.</summary>
    public ushort Base => (ushort)(AvailSlot | (AvailWrap ? 0x8000 : 0));

    public RingAddresses Addresses(bool logEnabled = false) =>
        new(_ram.Uva(DescGpa), _ram.Uva(DeviceEventGpa), _ram.Uva(DriverEventGpa), DeviceEventGpa, logEnabled);

    /// <summary>A queue attached to this ring, enabled, starting where the driver is.</summary>
    public PackedQueue CreateQueue(QueueFeatures features, int index = 1)
    {
        var q = new PackedQueue(index) { Size = Size, Addresses = Addresses(features.LogAll), Features = features, NextAvail = Base, Enabled = true };
        Assert.True(q.Attach(_ram.Memory, out string? error), error);
        return q;
    }

    /// <summary>
    /// Moves the driver (before a queue is made) as if <paramref name="slots"/> descriptors had
    /// gone round already, each slot left as the device returned it: used in this lap before the
    /// driver's position, in the lap before from there on.
    /// </summary>
    public void Skip(int slots)
    {
        for (int i = 0; i < slots; i++) Step();
        for (ushort s = 0; s < Size; s++) Flags(s) = UsedBits(s < AvailSlot ? AvailWrap : !AvailWrap);
        _usedSlot = AvailSlot;
        _usedWrap = AvailWrap;
    }

    // ---- buffers ----

    public ulong Alloc(uint length) => _heap.Alloc(length);

    public ulong Put(ReadOnlySpan<byte> data) => _heap.Put(data);

    // ---- posting chains ----

    /// <summary>
    /// Makes <paramref name="buffers"/> available as one chain in consecutive slots, the buffer ID
    /// in the last descriptor only (§2.8.6), the first descriptor's flags written last; returns the ID.
    /// </summary>
    public ushort Post(params Buf[] buffers)
    {
        ushort id = _nextId++;
        ushort first = AvailSlot;
        ushort firstFlags = 0;
        for (int i = 0; i < buffers.Length; i++)
        {
            var b = buffers[i];
            bool last = i == buffers.Length - 1;
            ushort flags = (ushort)(AvailBits(AvailWrap) | (b.DeviceWrites ? Write : 0) | (last ? 0 : Next));
            WriteDesc(AvailSlot, b.Gpa, b.Length, last ? id : (ushort)0xdead, i == 0 ? (ushort)0 : flags);
            if (i == 0) firstFlags = flags;
            Step();
        }
        Volatile.Write(ref Flags(first), firstFlags);
        _chainLength[id] = buffers.Length;
        return id;
    }

    /// <summary>Puts <paramref name="buffers"/> in an indirect table (§2.8.19) referenced by one descriptor, made available; returns the ID.</summary>
    public ushort PostIndirect(params Buf[] buffers)
    {
        ulong table = Alloc((uint)(16 * buffers.Length));
        for (int i = 0; i < buffers.Length; i++)
            WriteDesc(table, (ushort)i, buffers[i].Gpa, buffers[i].Length, 0, buffers[i].DeviceWrites ? Write : (ushort)0);
        ushort id = _nextId++;
        WriteDesc(AvailSlot, table, (uint)(16 * buffers.Length), id, 0);
        Volatile.Write(ref Flags(AvailSlot), (ushort)(AvailBits(AvailWrap) | Indirect));
        Step();
        _chainLength[id] = 1;
        return id;
    }

    /// <summary>A transmit chain: <paramref name="header"/> zero bytes then <paramref name="frame"/>, cut at the given lengths (the last piece takes the rest).</summary>
    public ushort PostTx(int header, byte[] frame, params int[] pieces) => Post(TxChain.Cut(Put(TxChain.Bytes(header, frame)), header + frame.Length, pieces));

    /// <summary>A receive buffer of <paramref name="length"/> bytes (one descriptor); returns its address.</summary>
    public ulong PostRx(uint length)
    {
        ulong gpa = Alloc(length);
        Post(new Buf(gpa, length, DeviceWrites: true));
        return gpa;
    }

    /// <summary>Flags that make a descriptor available under driver wrap counter <paramref name="wrap"/> (§2.8.1).</summary>
    public static ushort AvailBits(bool wrap) => wrap ? Avail : Used;

    /// <summary>Flags of a descriptor the device used under used wrap counter <paramref name="wrap"/> (§2.8.2).</summary>
    public static ushort UsedBits(bool wrap) => wrap ? (ushort)(Avail | Used) : (ushort)0;

    /// <summary>Makes the next slot available with a raw descriptor (and moves on).</summary>
    public void PostRaw(ulong addr, uint length, ushort id, ushort flags)
    {
        WriteDesc(AvailSlot, addr, length, id, 0);
        Volatile.Write(ref Flags(AvailSlot), (ushort)(flags | AvailBits(AvailWrap)));
        Step();
    }

    private void Step()
    {
        if (++AvailSlot == Size) (AvailSlot, AvailWrap) = ((ushort)0, !AvailWrap);
    }

    // ---- used descriptors ----

    /// <summary>The used descriptors the device has written since the last call, in order (§2.8.22): ID, length, flags.</summary>
    public List<(ushort Id, uint Length, ushort Flags)> TakeUsed()
    {
        var used = new List<(ushort, uint, ushort)>();
        while (true)
        {
            ushort flags = Volatile.Read(ref Flags(_usedSlot));
            bool avail = (flags & Avail) != 0, isUsed = (flags & Used) != 0;
            if (avail != _usedWrap || isUsed != _usedWrap) return used;
            byte* d = _ram.At(DescGpa + 16ul * _usedSlot);
            ushort id = *(ushort*)(d + 12);
            used.Add((id, *(uint*)(d + 8), flags));
            int skip = _chainLength.TryGetValue(id, out int n) ? n : 1;
            for (int i = 0; i < skip; i++)
                if (++_usedSlot == Size) (_usedSlot, _usedWrap) = ((ushort)0, !_usedWrap);
        }
    }

    // ---- raw ring access ----

    public void WriteDesc(ushort slot, ulong addr, uint length, ushort id, ushort flags) =>
        WriteDesc(DescGpa, slot, addr, length, id, flags);

    public void WriteDesc(ulong table, ushort index, ulong addr, uint length, ushort id, ushort flags)
    {
        byte* d = _ram.At(table + 16ul * index);
        *(ulong*)d = addr;
        *(uint*)(d + 8) = length;
        *(ushort*)(d + 12) = id;
        *(ushort*)(d + 14) = flags;
    }

    public ref ushort Flags(ushort slot) => ref *(ushort*)_ram.At(DescGpa + 16ul * slot + 14);

    /// <summary>Driver event suppression (§2.8.14): the driver's wish for used-buffer notifications.</summary>
    public ushort DriverEventFlags { get => U16(DriverEventGpa + 2); set => U16(DriverEventGpa + 2) = value; }
    public ushort DriverEventOffWrap { get => U16(DriverEventGpa); set => U16(DriverEventGpa) = value; }

    /// <summary>Device event suppression: what the device wants in kicks.</summary>
    public ushort DeviceEventFlags => Volatile.Read(ref U16(DeviceEventGpa + 2));

    private ref ushort U16(ulong gpa) => ref *(ushort*)_ram.At(gpa);
}
