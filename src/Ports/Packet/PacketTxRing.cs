using System.Numerics;
using VirtioForwarder.Platform;
using static VirtioForwarder.Ports.Packet.PacketInterop;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// The transmit ring: fixed slots the relay copies frames into, marked SEND_REQUEST and flushed
/// with one send() per batch; the kernel marks a slot AVAILABLE again once the device is done
/// with it. Chosen over sendmmsg because the relay's one copy (guest memory → slot) is then the
/// only copy: the kernel builds its skbs on the ring's pages instead of copying from iovecs, and
/// a batch costs one system call either way. Slots are used in ring order, as the kernel sends
/// them. Only the transmitting thread uses it.
/// </summary>
internal sealed unsafe class PacketTxRing
{
    /// <summary>Slots wanted; the ring holds at least this many (whole blocks).</summary>
    public const int MinSlots = 256;

    private const int MinBlockSize = 1 << 16;

    private readonly nint[] _slots;
    private readonly int _capacity;
    private readonly int _fd;
    private int _head;     // the next slot to fill; slots from the kernel's head up to here are queued
    private int _lent;

    public PacketTxRing(int fd, byte* ringBase, TpacketReq3 geometry, int frameCapacity)
    {
        _fd = fd;
        _capacity = frameCapacity;
        int perBlock = (int)(geometry.BlockSize / geometry.FrameSize);
        _slots = new nint[geometry.FrameCount];
        for (int i = 0; i < _slots.Length; i++)
            _slots[i] = (nint)(ringBase + (nint)(i / perBlock) * geometry.BlockSize + (nint)(i % perBlock) * geometry.FrameSize);
    }

    /// <summary>Slots of <paramref name="frameCapacity"/>-byte frames behind a virtio-net header, in blocks of a power-of-two size.</summary>
    public static TpacketReq3 Geometry(int frameCapacity)
    {
        uint frameSize = (uint)(TxDataOffset + VnetHeader.Size + frameCapacity + 15) & ~15u;
        uint blockSize = BitOperations.RoundUpToPowerOf2(Math.Max(frameSize, MinBlockSize));
        uint perBlock = blockSize / frameSize;
        uint blocks = (MinSlots + perBlock - 1) / perBlock;
        return new TpacketReq3 { BlockSize = blockSize, BlockCount = blocks, FrameSize = frameSize, FrameCount = perBlock * blocks };
    }

    public int AcquireTx(Span<Frame> frames)
    {
        int n = 0;
        int limit = Math.Min(frames.Length, _slots.Length);
        while (n < limit && IsFree(Slot(n)))
        {
            frames[n] = new Frame { Data = (byte*)Header(Slot(n)) + TxDataOffset + VnetHeader.Size, Length = 0, Capacity = _capacity };
            n++;
        }
        // A full ring may hold frames an earlier send() could not take (ENOBUFS): push them again.
        if (n == 0 && limit > 0) Kick();
        _lent = n;
        return n;
    }

    /// <summary>
    /// Queues the first <paramref name="count"/> acquired frames and flushes the ring. The slot's
    /// virtio-net header stays all zero (a plain, complete frame), as the kernel never writes it.
    /// </summary>
    public int Transmit(Span<Frame> frames, int count)
    {
        count = Math.Min(count, _lent);
        _lent = 0;
        for (int i = 0; i < count; i++)
        {
            var header = Header(Slot(i));
            header->Length = (uint)(VnetHeader.Size + frames[i].Length);
            Volatile.Write(ref header->Status, TP_STATUS_SEND_REQUEST);
        }
        if (count == 0) return 0;
        int first = _head;
        _head = (_head + count) % _slots.Length;
        if (Kick() >= 0 || Errno.Last is not (ENXIO or ENETDOWN)) return count;
        // The device is down: the kernel left the ring alone. Take the batch back rather than
        // have it sent, stale, whenever the link returns.
        for (int i = 0; i < count; i++) Volatile.Write(ref Header((first + i) % _slots.Length)->Status, TP_STATUS_AVAILABLE);
        _head = first;
        return 0;
    }

    private nint Kick() => Send(_fd, null, 0, Libc.MSG_DONTWAIT);

    private int Slot(int offset) => (_head + offset) % _slots.Length;

    private Tpacket3Header* Header(int slot) => (Tpacket3Header*)_slots[slot];

    private bool IsFree(int slot) => (Volatile.Read(ref Header(slot)->Status) & (TP_STATUS_SEND_REQUEST | TP_STATUS_SENDING)) == 0;
}
