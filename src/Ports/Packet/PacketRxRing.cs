using VirtioForwarder.Platform;
using static VirtioForwarder.Ports.Packet.PacketInterop;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// The TPACKET_V3 receive ring: blocks the kernel fills with variable-sized frames and hands over
/// whole (TP_STATUS_USER) when full or when the retire timer fires. Frames are lent in place; a
/// block read to its end goes back to the kernel at the next <see cref="Receive"/>, since IPort's
/// frames stay valid until then. Only the receiving thread uses it.
/// </summary>
internal sealed unsafe class PacketRxRing
{
    /// <summary>
    /// Blocks in the ring: the kernel fills one while we read others. A block goes to the reader
    /// when full or when <see cref="RetireTimeoutMs"/> passes, so sparse frames (less than one per
    /// timeout) take a block each while the reader is held up: a guest not taking frames, a
    /// bond's backup member not read, a worker not scheduled. Blocks must hold a 64 KiB GSO frame
    /// (<see cref="BlockSizeFor"/>: 128 KiB, and the kernel allocates each block as a power of two
    /// of pages anyway), so the count is the trade: 256 blocks hold 256 sparse frames, a quarter
    /// of a second of them at one per millisecond, or about 20,000 full-size (1,514-byte) frames
    /// in a burst, for 32 MiB of kernel memory per socket (a socket per port queue).
    /// </summary>
    public const int BlockCount = 256;

    /// <summary>
    /// How long a partly filled block waits before the kernel hands it over: the latency a lone
    /// frame (a ping) sees, and the rate of wake-ups when traffic is sparse.
    /// </summary>
    public const int RetireTimeoutMs = 1;

    // The frame size only has to satisfy packet_set_ring's checks; V3 frames take what they need.
    private const int NominalFrameSize = 2048;
    private const int MinBlockSize = 1 << 17;

    // Room before the frame for the tpacket3_hdr, sockaddr_ll, alignment and a virtio_net_hdr.
    private const int FrameHeadroom = 256;

    private readonly byte* _base;
    private readonly int _capacity;
    private readonly int _gsoCapacity;
    private int _block;          // the block being read, or next to be opened
    private bool _opened;        // _block is ours and partly read
    private int _left;           // frames not yet read in _block
    private byte* _next;         // the next frame's tpacket3_hdr in _block
    private int _finished;       // blocks before _block read to their end, held until the next Receive

    /// <summary>
    /// Plain frames up to <paramref name="frameCapacity"/> bytes are taken, unsegmented (GSO) ones
    /// up to <paramref name="gsoCapacity"/>, which the blocks must hold.
    /// </summary>
    public PacketRxRing(byte* ringBase, int frameCapacity, int gsoCapacity)
    {
        _base = ringBase;
        _capacity = frameCapacity;
        _gsoCapacity = gsoCapacity;
        BlockSize = BlockSizeFor(gsoCapacity);
    }

    public int BlockSize { get; }

    public int Bytes => BlockSize * BlockCount;

    /// <summary>Frames dropped for not fitting a buffer of the port's frame capacity.</summary>
    public long Oversize { get; private set; }

    public static int BlockSizeFor(int frameCapacity) =>
        (int)Math.Max(MinBlockSize, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(frameCapacity + FrameHeadroom)));

    public static TpacketReq3 Request(int blockSize) => new()
    {
        BlockSize = (uint)blockSize,
        BlockCount = BlockCount,
        FrameSize = NominalFrameSize,
        FrameCount = (uint)(blockSize / NominalFrameSize * BlockCount),
        RetireBlockTimeoutMs = RetireTimeoutMs,
    };

    public int Receive(Span<Frame> frames)
    {
        ReturnFinishedBlocks();
        int n = 0;
        while (n < frames.Length)
        {
            if (_left == 0 && !OpenNextBlock()) break;
            var header = (Tpacket3Header*)_next;
            _next = header->NextOffset == 0 ? null : _next + header->NextOffset;
            _left--;
            if (Take(header, ref frames[n])) n++;
        }
        return n;
    }

    /// <summary>
    /// Lends one frame with the offload state the kernel wrote before it (PACKET_VNET_HDR:
    /// tpacket_rcv puts a struct virtio_net_hdr right before the MAC header), left for the relay
    /// to pass on or resolve.
    /// </summary>
    private bool Take(Tpacket3Header* header, ref Frame frame)
    {
        byte* data = (byte*)header + header->MacOffset;
        int length = (int)header->SnapLength;
        var offload = VirtioNetHeader.Read(new ReadOnlySpan<byte>(data - VirtioNetHeader.Size, VirtioNetHeader.Size));
        bool tagged = (header->Status & TP_STATUS_VLAN_VALID) != 0;
        int capacity = offload.GsoType == VirtioNetHeader.GsoNone ? _capacity : _gsoCapacity;
        if (header->SnapLength != header->Length || length + (tagged ? VlanTag.Size : 0) > capacity)
        {
            Oversize++;
            return false;
        }
        if (tagged)
        {
            ushort tpid = (header->Status & TP_STATUS_VLAN_TPID_VALID) != 0 ? header->VlanTpid : VlanTag.DefaultTpid;
            data = VlanTag.Insert(data, tpid, (ushort)header->VlanTci);
            length += VlanTag.Size;
            // The kernel's offsets count from the frame it had, without the tag.
            if ((offload.Flags & VirtioNetHeader.NeedsChecksum) != 0)
            {
                offload.ChecksumStart += VlanTag.Size;
                offload.HeaderLength += VlanTag.Size;
            }
        }
        frame = new Frame { Data = data, Length = length, Capacity = length, Offload = offload };
        return true;
    }

    // A block read to its end while frames were still lent from it is given back here.
    private void ReturnFinishedBlocks()
    {
        if (_opened && _left == 0)
        {
            _opened = false;
            _finished++;
            _block = Next(_block);
        }
        for (; _finished > 0; _finished--)
            Volatile.Write(ref Descriptor((_block - _finished + BlockCount) % BlockCount)->Status, TP_STATUS_KERNEL);
    }

    private bool OpenNextBlock()
    {
        if (_opened)
        {
            _opened = false;
            _finished++;
            _block = Next(_block);
        }
        // Every block may be ours (a full ring of sparse frames, one per retired block, longer
        // than the batch): the next one is then the oldest we still hold, read already and not
        // yet returned, whose status still says TP_STATUS_USER. Stop there instead of lending
        // its frames again and counting it finished twice.
        while (_finished < BlockCount && IsUsers(_block))
        {
            var descriptor = Descriptor(_block);
            _opened = true;
            _left = (int)descriptor->PacketCount;
            _next = (byte*)descriptor + descriptor->OffsetToFirstPacket;
            if (_left > 0) return true;
            // An empty block (none is expected) goes back with the others.
            _opened = false;
            _finished++;
            _block = Next(_block);
        }
        return false;
    }

    private bool IsUsers(int block) => (Volatile.Read(ref Descriptor(block)->Status) & TP_STATUS_USER) != 0;

    private BlockDescriptor* Descriptor(int block) => (BlockDescriptor*)(_base + (nint)block * BlockSize);

    private static int Next(int block) => (block + 1) % BlockCount;
}
