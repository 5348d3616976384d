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
/// them. Each frame's offload state goes into the virtio-net header before it (PACKET_VNET_HDR),
/// so the kernel completes its checksum or segments it as the device's offloads allow. Only the
/// transmitting thread uses it.
/// </summary>
internal sealed unsafe class PacketTxRing
{
    /// <summary>Slots wanted; the ring holds at least this many (whole blocks).</summary>
    public const int MinSlots = 256;

    private const int MinBlockSize = 1 << 16;

    // Slots per block at least: big (GSO-sized) slots then do not each take a power-of-two block.
    private const int MinSlotsPerBlock = 4;

    private const int EthernetHeader = 14;

    private readonly nint[] _slots;
    private readonly int _capacity;
    private readonly int _fd;
    private int _head;     // the next slot to fill; slots from the kernel's head up to here are queued
    private int _lent;
    private int _maxPlainFrame = int.MaxValue;

    public PacketTxRing(int fd, byte* ringBase, TpacketReq3 geometry, int frameCapacity)
    {
        _fd = fd;
        _capacity = frameCapacity;
        int perBlock = (int)(geometry.BlockSize / geometry.FrameSize);
        _slots = new nint[geometry.FrameCount];
        for (int i = 0; i < _slots.Length; i++)
            _slots[i] = (nint)(ringBase + (nint)(i / perBlock) * geometry.BlockSize + (nint)(i % perBlock) * geometry.FrameSize);
    }

    /// <summary>Frames dropped for exceeding the MTU (<see cref="Mtu"/>).</summary>
    public long Oversize { get; private set; }

    /// <summary>
    /// The device's MTU: a frame that is not GSO may be at most this plus its Ethernet header (and
    /// a VLAN tag it carries) long, as the kernel's own check in tpacket_snd has it — a check the
    /// kernel skips with PACKET_VNET_HDR, which would let a too-long frame out onto the link.
    /// </summary>
    public int Mtu
    {
        set => Volatile.Write(ref _maxPlainFrame, value + EthernetHeader);
    }

    /// <summary>Slots of <paramref name="frameCapacity"/>-byte frames behind a virtio-net header, in blocks of a power-of-two size.</summary>
    public static TpacketReq3 Geometry(int frameCapacity)
    {
        uint frameSize = (uint)(TxDataOffset + VirtioNetHeader.Size + frameCapacity + 15) & ~15u;
        uint blockSize = BitOperations.RoundUpToPowerOf2(Math.Max(frameSize * MinSlotsPerBlock, MinBlockSize));
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
            frames[n] = new Frame { Data = (byte*)Header(Slot(n)) + TxDataOffset + VirtioNetHeader.Size, Length = 0, Capacity = _capacity };
            n++;
        }
        // A full ring may hold frames an earlier send() could not take (ENOBUFS): push them again.
        if (n == 0 && limit > 0) Kick();
        _lent = n;
        return n;
    }

    /// <summary>
    /// Queues the first <paramref name="count"/> acquired frames and flushes the ring. A frame
    /// longer than the MTU allows keeps its slot in the ring, as the kernel sends slots in order,
    /// but with a length shorter than the virtio-net header, which the kernel skips (PACKET_LOSS).
    /// </summary>
    public int Transmit(Span<Frame> frames, int count)
    {
        count = Math.Min(count, _lent);
        _lent = 0;
        int maxPlainFrame = Volatile.Read(ref _maxPlainFrame);
        int refused = 0;
        for (int i = 0; i < count; i++)
        {
            var header = Header(Slot(i));
            ref var frame = ref frames[i];
            frame.Offload.Write(new Span<byte>((byte*)header + TxDataOffset, VirtioNetHeader.Size));
            if (frame.Offload.GsoType == VirtioNetHeader.GsoNone && frame.Length > maxPlainFrame + VlanTag.LengthIn(frame))
            {
                frame.Length = 0;
                refused++;
            }
            header->Length = frame.Length == 0 ? 0 : (uint)(VirtioNetHeader.Size + frame.Length);
            Volatile.Write(ref header->Status, TP_STATUS_SEND_REQUEST);
        }
        if (count == 0) return 0;
        Oversize += refused;
        int first = _head;
        _head = (_head + count) % _slots.Length;
        if (Kick() >= 0 || Errno.Last is not (ENXIO or ENETDOWN)) return count - refused;
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
