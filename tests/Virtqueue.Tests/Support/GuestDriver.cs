namespace VirtioForwarder.Virtqueue.Tests.Support;

/// <summary>One buffer a test posts: guest-physical address, length, and whether the device writes it.</summary>
public readonly record struct Buf(ulong Gpa, uint Length, bool DeviceWrites = false);

/// <summary>
/// The driver side of one split virtqueue, as a guest would run it (virtio 1.2 §2.7.13): rings
/// laid out in <see cref="GuestRam"/> region 0, buffers from a bump allocator after them,
/// descriptors handed out round-robin. Raw accessors let tests write malformed rings too.
/// </summary>
public sealed unsafe class GuestDriver
{
    public const ulong DescGpa = 0x1000;
    private const ushort Next = 1, Write = 2, Indirect = 4;

    private readonly GuestRam _ram;
    private readonly GuestHeap _heap;
    private ushort _freeDesc;

    public GuestDriver(GuestRam ram, ushort size, ushort startIndex = 0)
    {
        _ram = ram;
        Size = size;
        AvailGpa = DescGpa + 16ul * size;
        UsedGpa = AlignUp(AvailGpa + 6 + 2ul * size, 4096);
        _heap = new GuestHeap(ram, AlignUp(UsedGpa + 6 + 8ul * size, 4096));
        AvailIdx = startIndex;
        UsedIdx = startIndex;
    }

    public ushort Size { get; }
    public ulong AvailGpa { get; }
    public ulong UsedGpa { get; }

    public RingAddresses Addresses(bool logEnabled = false, ulong? logGuestAddr = null) =>
        new(_ram.Uva(DescGpa), _ram.Uva(UsedGpa), _ram.Uva(AvailGpa), logGuestAddr ?? UsedGpa, logEnabled);

    /// <summary>A queue attached to this ring, enabled, starting where the driver starts.</summary>
    public SplitQueue CreateQueue(QueueFeatures features, int index = 1)
    {
        var q = new SplitQueue(index) { Size = Size, Addresses = Addresses(features.LogAll), Features = features, NextAvail = AvailIdx, Enabled = true };
        Assert.True(q.Attach(_ram.Memory, out string? error), error);
        return q;
    }

    // ---- buffers ----

    public ulong Alloc(uint length) => _heap.Alloc(length);

    public ulong Put(ReadOnlySpan<byte> data) => _heap.Put(data);

    // ---- posting chains ----

    /// <summary>Links <paramref name="buffers"/> into a chain of fresh descriptors and makes it available; returns its head.</summary>
    public ushort Post(params Buf[] buffers)
    {
        ushort head = LinkChain(buffers);
        PushAvail(head);
        return head;
    }

    /// <summary>Puts <paramref name="buffers"/> in an indirect table (§2.7.5.3) referenced by one descriptor, made available.</summary>
    public ushort PostIndirect(params Buf[] buffers)
    {
        ulong table = Alloc((uint)(16 * buffers.Length));
        for (int i = 0; i < buffers.Length; i++)
            WriteDesc(table, (ushort)i, buffers[i], i + 1 < buffers.Length ? (ushort)(i + 1) : null);
        ushort head = TakeDesc();
        WriteDesc(head, table, (uint)(16 * buffers.Length), Indirect, 0);
        PushAvail(head);
        return head;
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

    private ushort LinkChain(Buf[] buffers)
    {
        var indexes = new ushort[buffers.Length];
        for (int i = 0; i < buffers.Length; i++) indexes[i] = TakeDesc();
        for (int i = 0; i < buffers.Length; i++)
            WriteDesc(DescGpa, indexes[i], buffers[i], i + 1 < buffers.Length ? indexes[i + 1] : null);
        return indexes[0];
    }

    private ushort TakeDesc() => (ushort)(_freeDesc++ % Size);

    private void WriteDesc(ulong table, ushort index, Buf b, ushort? next) =>
        WriteDesc(table, index, b.Gpa, b.Length, (ushort)((b.DeviceWrites ? Write : 0) | (next.HasValue ? Next : 0)), next ?? 0);

    // ---- raw ring access ----

    public void WriteDesc(ushort index, ulong addr, uint length, ushort flags, ushort next) =>
        WriteDesc(DescGpa, index, addr, length, flags, next);

    public void WriteDesc(ulong table, ushort index, ulong addr, uint length, ushort flags, ushort next)
    {
        byte* d = _ram.At(table + 16ul * index);
        *(ulong*)d = addr;
        *(uint*)(d + 8) = length;
        *(ushort*)(d + 12) = flags;
        *(ushort*)(d + 14) = next;
    }

    /// <summary>Places <paramref name="head"/> in the avail ring and publishes it (§2.7.13.2, §2.7.13.3).</summary>
    public void PushAvail(ushort head)
    {
        ((ushort*)_ram.At(AvailGpa + 4))[AvailIdx % Size] = head;
        AvailIdx++;
    }

    public ushort AvailFlags { get => U16(AvailGpa); set => U16(AvailGpa) = value; }
    public ushort AvailIdx { get => Volatile.Read(ref U16(AvailGpa + 2)); set => Volatile.Write(ref U16(AvailGpa + 2), value); }
    public ushort UsedEvent { get => U16(AvailGpa + 4 + 2ul * Size); set => U16(AvailGpa + 4 + 2ul * Size) = value; }
    public ushort UsedFlags { get => U16(UsedGpa); set => U16(UsedGpa) = value; }
    public ushort UsedIdx { get => Volatile.Read(ref U16(UsedGpa + 2)); set => U16(UsedGpa + 2) = value; }
    public ushort AvailEvent { get => U16(UsedGpa + 4 + 8ul * Size); set => U16(UsedGpa + 4 + 8ul * Size) = value; }

    /// <summary>The used element at used index <paramref name="idx"/>.</summary>
    public (uint Id, uint Length) Used(ushort idx)
    {
        byte* e = _ram.At(UsedGpa + 4 + 8ul * (uint)(idx % Size));
        return (*(uint*)e, *(uint*)(e + 4));
    }

    private ref ushort U16(ulong gpa) => ref *(ushort*)_ram.At(gpa);

    private static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}

/// <summary>How tests lay out a transmit chain, on either ring format.</summary>
public static class TxChain
{
    /// <summary><paramref name="header"/> zero bytes then <paramref name="frame"/>.</summary>
    public static byte[] Bytes(int header, byte[] frame)
    {
        var bytes = new byte[header + frame.Length];
        frame.CopyTo(bytes, header);
        return bytes;
    }

    /// <summary>The <paramref name="total"/> bytes at <paramref name="gpa"/> as buffers of the given lengths, the last taking the rest.</summary>
    public static Buf[] Cut(ulong gpa, int total, int[] pieces)
    {
        var buffers = new List<Buf>();
        int at = 0;
        foreach (int piece in pieces)
        {
            buffers.Add(new Buf(gpa + (ulong)at, (uint)piece));
            at += piece;
        }
        buffers.Add(new Buf(gpa + (ulong)at, (uint)(total - at)));
        return buffers.ToArray();
    }
}

/// <summary>Test buffers in guest RAM region 0: a bump allocator from <paramref name="start"/>.</summary>
public sealed class GuestHeap(GuestRam ram, ulong start)
{
    private ulong _next = start;

    public ulong Alloc(uint length)
    {
        ulong gpa = _next;
        _next = (_next + length + 15) & ~15ul;
        Assert.True(_next <= GuestRam.Region0Size, "test heap exhausted");
        return gpa;
    }

    /// <summary>Copies <paramref name="data"/> into a fresh buffer; returns its address.</summary>
    public ulong Put(ReadOnlySpan<byte> data)
    {
        ulong gpa = Alloc((uint)data.Length);
        data.CopyTo(ram.Bytes(gpa, data.Length));
        return gpa;
    }
}
