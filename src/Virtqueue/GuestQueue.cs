using System.Runtime.Intrinsics.X86;
using VirtioForwarder.Memory;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>What SET_VRING_ADDR carries: ring addresses in the frontend's virtual address space.</summary>
public readonly record struct RingAddresses(ulong DescUser, ulong UsedUser, ulong AvailUser, ulong LogGuestAddr, bool LogEnabled);

/// <summary>
/// The negotiated features a queue's data path depends on. <paramref name="HostOffloads"/>: the
/// guest may hand frames with offload state (VIRTIO_NET_F_CSUM), so a transmit chain's
/// virtio-net header is kept with its frame; without it the header says nothing (§5.1.6.2.1).
/// </summary>
public readonly record struct QueueFeatures(bool EventIdx, bool IndirectDesc, bool Mergeable, int NetHeaderLength, bool LogAll,
    bool HostOffloads = false);

/// <summary>
/// One virtqueue, device side, carrying virtio-net frames: a <see cref="SplitQueue"/> (virtio 1.2
/// §2.7) or a <see cref="PackedQueue"/> (§2.8), whichever VIRTIO_F_RING_PACKED chose. The control
/// thread configures it (SET_VRING_*); one worker thread runs the data path, a burst at a time
/// inside TryEnter/Exit so the control thread can take it exclusively. Callers dispatch once per
/// burst; the chain work both formats share (copying a frame out of a chain, pouring one into
/// chains) lives here.
/// </summary>
public abstract unsafe class GuestQueue : IDisposable
{
    public const int MaxSize = 32768;

    /// <summary>Longest virtio-net header: struct virtio_net_hdr_mrg_rxbuf (§5.1.6).</summary>
    private const int MaxNetHeaderLength = 12;

    private protected enum TxOutcome { Copied, Oversize, Malformed }

    private protected enum RxOutcome { Delivered, Dropped, NoRoom, Malformed }

    private ushort _size;
    private RingAddresses _addresses;
    private QueueFeatures _features;
    private GuestMemory? _memory;
    private int _busy;

    private protected GuestQueue(int index) => Index = index;

    public int Index { get; }

    // ---- configuration (control thread) ----

    /// <summary>Queue size: a power of two up to <see cref="MaxSize"/>. Changing it detaches the ring, whose extents were checked for the old size.</summary>
    public ushort Size
    {
        get => _size;
        set
        {
            if (value == 0 || value > MaxSize || (value & (value - 1)) != 0)
                throw new ArgumentException($"queue {Index}: size {value} is not a power of two from 1 to {MaxSize}", nameof(value));
            if (value != _size) Detach();
            _size = value;
        }
    }

    /// <summary>Changing the addresses detaches the ring; <see cref="Attach"/> translates the new ones.</summary>
    public RingAddresses Addresses
    {
        get => _addresses;
        set
        {
            if (value != _addresses) Detach();
            _addresses = value;
        }
    }

    /// <summary>
    /// SET_VRING_BASE / GET_VRING_BASE: where the device reads next. A split ring's next avail
    /// index; a packed ring's next descriptor in bits 0-14 and its wrap counter in bit 15.
    /// </summary>
    public abstract ushort NextAvail { get; set; }

    public QueueFeatures Features
    {
        get => _features;
        set
        {
            if ((uint)value.NetHeaderLength > MaxNetHeaderLength)
                throw new ArgumentException($"queue {Index}: a virtio-net header is at most {MaxNetHeaderLength} bytes, not {value.NetHeaderLength}", nameof(value));
            _features = value;
        }
    }

    public EventFd? Kick { get; set; }
    public EventFd? Call { get; set; }
    public bool Enabled { get; set; }

    /// <summary>Takes over <paramref name="other"/>'s size, addresses, state and eventfds (the ring format changed under them).</summary>
    public void TakeSettingsFrom(GuestQueue other)
    {
        _size = other._size;
        _addresses = other._addresses;
        Enabled = other.Enabled;
        (Kick, other.Kick) = (other.Kick, null);
        (Call, other.Call) = (other.Call, null);
    }

    /// <summary>Translates the ring addresses through <paramref name="memory"/>; false with a reason if a ring is not fully mapped.</summary>
    public bool Attach(GuestMemory memory, out string? error)
    {
        error = _size == 0 ? "the ring size is not set" : AttachRing(memory);
        if (error is not null) return false;
        _memory = memory;
        return true;
    }

    /// <summary>Checks and translates the format's ring parts; null on success, else why not.</summary>
    private protected abstract string? AttachRing(GuestMemory memory);

    /// <summary>Forgets the ring pointers (memory unmapped, ring stopped). A ring started again begins afresh, unbroken.</summary>
    public void Detach()
    {
        _memory = null;
        DetachRing();
        BrokenReason = null;
    }

    private protected abstract void DetachRing();

    /// <summary>Attached to memory and enabled: the data path may run.</summary>
    public bool IsLive => _memory != null && Enabled && _size > 0;

    // ---- hand-off between the worker and the control thread ----

    public bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

    public void Exit() => Volatile.Write(ref _busy, 0);

    /// <summary>Waits until no burst is running and keeps the worker out until <see cref="Exit"/>.</summary>
    public void EnterExclusive()
    {
        var spin = new SpinWait();
        while (!TryEnter()) spin.SpinOnce();
    }

    // ---- data path (worker thread, inside TryEnter/Exit) ----

    /// <summary>Set when the guest handed a malformed chain; the device must be reset.</summary>
    public string? BrokenReason { get; private set; }

    public ulong OversizeDrops { get; private protected set; }

    /// <summary>
    /// Evict each transmit frame's lines from the cache once copied (<see cref="CacheLines"/>), so
    /// the guest's next write to the buffer need not invalidate this CPU's copy first. Set by the
    /// worker between bursts; whether it pays depends on where the guest's CPU is (Relay's EvictionTuner).
    /// </summary>
    public bool EvictCopiedFrames { get; set; }

    /// <summary>Frames dropped on the guest's RX queue because, without mergeable buffers, the chain offered was smaller than header plus frame.</summary>
    public ulong RxBufferTooSmallDrops { get; private protected set; }

    /// <summary>How many chains the guest has made available and the device has not taken yet (0 if not live).</summary>
    public abstract int AvailableEntries { get; }

    /// <summary>At least one chain is available (false if not live): <see cref="AvailableEntries"/> &gt; 0 without counting, which on a packed ring reads descriptors.</summary>
    public virtual bool HasAvailable => AvailableEntries > 0;

    /// <summary>Asks the guest to kick (before a worker sleeps) or not (while it polls).</summary>
    public abstract void SetKickWanted(bool wanted);

    /// <summary>
    /// Guest→host (the guest's TX queue, §5.1.6.2): for each available chain, copies the frame
    /// after the virtio-net header into the next frame buffer, returns the chain as used, and
    /// notifies the guest if it asked. Returns the number of frames filled. A chain longer than
    /// its buffer is consumed and counted in <see cref="OversizeDrops"/>; a malformed one sets
    /// <see cref="BrokenReason"/>.
    /// </summary>
    public abstract int Dequeue(Span<Frame> frames);

    /// <summary>
    /// Host→guest (the guest's RX queue, §5.1.6.3, §5.1.6.4): writes a virtio-net header and each
    /// frame into the guest's buffers (merging buffers when negotiated), and notifies the guest if
    /// it asked. Returns how many frames were taken from the front of the batch: delivered, or
    /// (without mergeable buffers) dropped because the guest's buffer was too small, counted in
    /// <see cref="RxBufferTooSmallDrops"/>. The rest found no room.
    /// </summary>
    public abstract int Enqueue(ReadOnlySpan<Frame> frames);

    public void Dispose()
    {
        Detach();
        Kick?.Dispose();
        Call?.Dispose();
        Kick = null;
        Call = null;
    }

    private protected GuestMemory Memory => _memory!;

    private protected bool CanRun => IsLive && BrokenReason is null;

    private protected void Break(string reason) => BrokenReason ??= $"queue {Index}: {reason}";

    private protected static byte* Translate(GuestMemory memory, string what, ulong uva, ulong length, ref string? error)
    {
        byte* host = memory.UvaToHost(uva, length);
        if (host == null) error ??= $"{what} at 0x{uva:x} ({length} bytes) is not in guest memory";
        return host;
    }

    /// <summary>True while migrating with ring logging on (vhost-user "Migration"): writes to ring parts must be logged.</summary>
    private protected bool LogsRings => _features.LogAll && _addresses.LogEnabled && _memory?.DirtyLog is not null;

    private protected void LogRingWrite(ulong gpa, uint length) => _memory!.DirtyLog!.MarkDirty(gpa, length);

    // ---- chain work shared by both formats ----

    /// <summary>
    /// Copies one chain's frame into <paramref name="frame"/>, and its virtio-net header into the
    /// frame's offload state when the guest may send offloads. The header is taken by byte
    /// count, not by descriptor: without assumptions about framing (§5.1.6.2, ANY_LAYOUT, implied
    /// by VERSION_1) it may share a descriptor with data or span several.
    /// </summary>
    private protected TxOutcome CopyChainOut(ref DescriptorChain chain, ushort head, ref Frame frame)
    {
        uint headerLeft = (uint)_features.NetHeaderLength;
        ulong capacity = (ulong)Math.Max(frame.Capacity, 0);
        ulong length = 0;
        Span<byte> header = stackalloc byte[VirtioNetHeader.Size];
        header.Clear();
        while (chain.TryNext(out var segment))
        {
            uint skip = Math.Min(headerLeft, segment.Length);
            if (skip != 0 && _features.HostOffloads) KeepHeaderBytes(header, _features.NetHeaderLength - (int)headerLeft, segment.Host, skip);
            headerLeft -= skip;
            uint count = segment.Length - skip;
            // Past the capacity the rest is only counted: the chain is consumed whole either way.
            if (count != 0 && length + count <= capacity)
                Buffer.MemoryCopy(segment.Host + skip, frame.Data + length, count, count);
            length += count;
        }
        if (chain.Fault != ChainFault.None)
        {
            Break(chain.Describe(head));
            return TxOutcome.Malformed;
        }
        if (headerLeft != 0)
        {
            Break($"transmit chain at head {head} is shorter than the {_features.NetHeaderLength}-byte virtio-net header");
            return TxOutcome.Malformed;
        }
        if (length > capacity) return TxOutcome.Oversize;
        frame.Length = (int)length;
        frame.Offload = VirtioNetHeader.Read(header);
        return TxOutcome.Copied;
    }

    /// <summary>
    /// The common transmit chain: one device-readable descriptor (no NEXT, no INDIRECT) holding the
    /// header and the frame, copied without walking a chain (see <see cref="TryWriteInOneBuffer"/>
    /// for why that matters). False for any other chain; the caller then takes
    /// <see cref="CopyChainOut"/>, which also judges it. Otherwise <paramref name="outcome"/> is
    /// Copied, or Oversize for a frame larger than <paramref name="frame"/>'s capacity.
    /// </summary>
    private protected bool TryCopyOutOfOneBuffer(ulong addr, uint length, ushort flags, ref Frame frame, out TxOutcome outcome)
    {
        outcome = TxOutcome.Copied;
        int headerLength = _features.NetHeaderLength;
        if (flags != 0 || length < (uint)headerLength) return false;
        byte* host = _memory!.GpaToHost(addr, length);
        if (host == null) return false;
        uint count = length - (uint)headerLength;
        if (count > (uint)Math.Max(frame.Capacity, 0))
        {
            outcome = TxOutcome.Oversize;
            return true;
        }
        Buffer.MemoryCopy(host + headerLength, frame.Data, count, count);
        // Only the frame's lines: the header's stay, the guest reads them again as it fills the next one.
        if (EvictCopiedFrames) CacheLines.Evict(host + headerLength, count);
        frame.Length = (int)count;
        frame.Offload = _features.HostOffloads && headerLength >= VirtioNetHeader.Size
            ? VirtioNetHeader.Read(new ReadOnlySpan<byte>(host, VirtioNetHeader.Size))
            : default;
        return true;
    }

    /// <summary>
    /// Starts loading a one-buffer transmit chain's frame into the cache ahead of its copy. The
    /// guest's CPU has just written a burst's frames, so each is a cross-CPU miss; met one at a
    /// time in the copies they come one after another, while hints for the whole burst first let
    /// them overlap (DPDK's vhost dequeue batches its small copies for the same reason). A hint
    /// only: what the descriptor says is judged when the chain is taken.
    /// </summary>
    private protected void PrefetchFrame(ulong addr, uint length, ushort flags)
    {
        if (!Sse.IsSupported || flags != 0 || length <= (uint)_features.NetHeaderLength) return;
        byte* host = _memory!.GpaToHost(addr, length);
        if (host != null) Sse.Prefetch0(host + _features.NetHeaderLength);
    }

    /// <summary>Keeps what falls in the first <see cref="VirtioNetHeader.Size"/> bytes of header bytes [at, at + count); num_buffers is not needed.</summary>
    private static void KeepHeaderBytes(Span<byte> header, int at, byte* source, uint count)
    {
        if (at >= header.Length) return;
        new ReadOnlySpan<byte>(source, (int)Math.Min(count, (uint)(header.Length - at))).CopyTo(header[at..]);
    }

    /// <summary>
    /// The common receive chain: one device-writable descriptor (no NEXT, no INDIRECT) with room
    /// for the header and the whole frame, written without walking a chain or building a
    /// <see cref="ReceivedPacketWriter"/>. Neither is free per frame, and a struct built field by
    /// field and then copied makes the CPU wait for every store before it, guest memory included,
    /// to complete before the copy can read it (a failed store-to-load forward): frames would be
    /// written one cross-CPU cache miss at a time. False for any other chain; the caller then
    /// takes the general path, which also judges it. <paramref name="written"/>: header plus frame.
    /// </summary>
    private protected bool TryWriteInOneBuffer(ulong addr, uint length, ushort flags, in Frame frame, out uint written)
    {
        int headerLength = _features.NetHeaderLength;
        written = (uint)headerLength + (uint)frame.Length;
        if (flags != RingLayout.DescWrite || length < written || frame.Length < 0 || headerLength is not (10 or 12)) return false;
        var memory = _memory!;
        byte* host = memory.GpaToHost(addr, length);
        if (host == null) return false;
        var (low, high) = ReceivedPacketWriter.Header(frame.Offload);
        memory.WriteTranslated(host, addr, low, high, headerLength, new ReadOnlySpan<byte>(frame.Data, frame.Length));
        return true;
    }

    /// <summary>
    /// Writes what fits of <paramref name="writer"/> into one chain. The whole chain is walked even
    /// once the frame is written, so a chain is judged malformed or not whatever the frame's size.
    /// </summary>
    private protected bool FillChain(ref DescriptorChain chain, ushort head, ref ReceivedPacketWriter writer, out uint written)
    {
        written = 0;
        while (chain.TryNext(out var segment)) written += writer.Fill(_memory!, segment);
        if (chain.Fault == ChainFault.None) return true;
        Break(chain.Describe(head));
        return false;
    }

    private protected ReceivedPacketWriter Writer(in Frame frame) => new(_features.NetHeaderLength, frame);
}
