using System.Numerics;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Xdp;

/// <summary>
/// An AF_XDP socket on one queue of a kernel interface (kernel doc networking/af_xdp): an XDP
/// program redirects the queue's frames into this port's UMEM, and frames sent go out of the
/// same queue, without the kernel's stack. RX frames are lent straight from the UMEM and go back
/// to the fill ring at the next Receive; TX buffers come from a free list of UMEM frames and
/// return to it through the completion ring. Nothing is allocated per packet. Dispose detaches
/// the program and frees the socket and its memory.
/// <para>
/// On a device with several queues the port opens one socket per queue (each with a UMEM of its
/// own) and lists them in <see cref="Queues"/>: this port is queue 0, the others are ports of
/// their own that this one owns and closes, so a relay can map guest queue pair i to device
/// queue i. A queue without a socket would pass its frames to the kernel's stack instead.
/// </para>
/// </summary>
public sealed unsafe class XdpPort : IPort
{
    private const int BusyPollMicroseconds = 20;
    private const int MinFrameCount = 64, MaxFrameCount = 1 << 20;
    // Each queue's share of FrameCount when there are several, at least this many frames.
    private const int MinFramesPerQueue = 1024;

    private readonly XdpAttachment _attachment;
    // Queue 0's port owns the attachment and the other queues' ports; Queues lists them all.
    private IPort[] _queues = [];
    private bool _ownsAttachment;
    private readonly XskSocket _socket;
    private readonly InterfaceLink _link;
    private readonly bool _busyPoll;
    private readonly int _txCapacity;
    private readonly ulong[] _rxLent;
    private readonly ulong[] _txFree, _txLent;
    private int _rxLentCount, _txFreeCount, _txLentCount;
    private long _txErrors;
    private readonly RxMissedCount _rxMissed;
    private bool _disposed;

    private XdpPort(string name, string interfaceName, XdpAttachment attachment, XskSocket socket, int frameCount, int frameCapacity, bool busyPoll, int numaNode)
    {
        Name = name;
        InterfaceName = interfaceName;
        NumaNode = numaNode;
        _attachment = attachment;
        _socket = socket;
        _link = new InterfaceLink(interfaceName);
        _busyPoll = busyPoll;
        _txCapacity = frameCapacity;
        _rxMissed = new RxMissedCount(count => socket.RxDrops() ?? count);

        // Frames [0, half) are RX buffers, all handed to the kernel now; [half, count) are TX buffers.
        int half = frameCount / 2;
        _rxLent = new ulong[half];
        uint filled = socket.Fill.Reserve((uint)half, out uint first);
        for (uint i = 0; i < filled; i++) socket.Fill.Address(first + i) = i * XskSocket.FrameSize;
        socket.Fill.Submit(filled);
        _txFree = new ulong[half];
        _txLent = new ulong[half];
        for (int i = 0; i < half; i++) _txFree[i] = (ulong)(half + i) * XskSocket.FrameSize;
        _txFreeCount = half;
    }

    /// <summary>
    /// Opens an AF_XDP port on <paramref name="interfaceName"/>. Throws <see cref="NotSupportedException"/>
    /// when AF_XDP cannot carry frames of <paramref name="frameCapacity"/>, and
    /// <see cref="SystemCallException"/> when the kernel refuses (no AF_XDP or BPF support, no such
    /// interface, another XDP program attached), so a caller can fall back to another port type.
    /// <paramref name="numaNode"/> is the device's node as sysfs gives it (-1: unknown).
    /// </summary>
    public static XdpPort Open(string name, string interfaceName, XdpPortOptions options, int frameCapacity, int numaNode = -1)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (frameCapacity > XskSocket.FrameSize)
            throw new NotSupportedException($"{name}: AF_XDP frames hold at most {XskSocket.FrameSize} bytes, {frameCapacity} asked");
        ArgumentOutOfRangeException.ThrowIfNegative(options.Queue);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(options.Queue, XdpAttachment.MaxQueues);
        ArgumentOutOfRangeException.ThrowIfNegative(options.BusyPollBudget);
        if (!BitOperations.IsPow2(options.FrameCount) || options.FrameCount is < MinFrameCount or > MaxFrameCount)
            throw new ArgumentOutOfRangeException(nameof(options), $"FrameCount {options.FrameCount} is not a power of two in [{MinFrameCount}, {MaxFrameCount}]");

        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCount, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Queue + options.QueueCount, XdpAttachment.MaxQueues, nameof(options));

        int ifindex = InterfaceLink.IndexOf(interfaceName);
        var attachment = XdpAttachment.Attach(ifindex, interfaceName, options.Mode);
        var opened = new List<XdpPort>(options.QueueCount);
        int frames = options.QueueCount == 1 ? options.FrameCount
            : (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(MinFramesPerQueue, options.FrameCount / options.QueueCount));
        try
        {
            for (int i = 0; i < options.QueueCount; i++)
                opened.Add(OpenQueue(i == 0 ? name : $"{name} queue {options.Queue + i}", interfaceName, ifindex, attachment,
                    options.Queue + i, options with { FrameCount = frames }, frameCapacity, numaNode));
        }
        catch
        {
            foreach (var queue in opened) queue.Dispose();
            attachment.Dispose();
            throw;
        }
        var port = opened[0];
        port._ownsAttachment = true;
        if (opened.Count > 1) port._queues = [.. opened];
        string queues = opened.Count == 1 ? $"queue {options.Queue}" : $"queues {options.Queue}-{options.Queue + opened.Count - 1}";
        Log.Info($"{name}: AF_XDP on {interfaceName} {queues}, {attachment.Mode} XDP, {(port.ZeroCopy ? "zero-copy" : "copy")} mode{(port.BusyPolling ? ", busy polling" : "")}");
        return port;
    }

    /// <summary>Opens the socket of one queue and registers it with the redirect program (last: from then on the program sends the queue's frames to it instead of the stack).</summary>
    private static XdpPort OpenQueue(string name, string interfaceName, int ifindex, XdpAttachment attachment, int queue,
        XdpPortOptions options, int frameCapacity, int numaNode)
    {
        var socket = OpenSocket(ifindex, queue, (uint)options.FrameCount, attachment.Mode, interfaceName);
        try
        {
            if (options.BusyPollBudget > 0) EnableBusyPoll(socket.Fd, options.BusyPollBudget, interfaceName);
            var port = new XdpPort(name, interfaceName, attachment, socket, options.FrameCount, frameCapacity, options.BusyPollBudget > 0, numaNode);
            attachment.Register(queue, socket.Fd);
            return port;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public string Name { get; }

    /// <summary>The kernel interface the socket is bound to.</summary>
    public string InterfaceName { get; }

    /// <summary>The NUMA node of the interface's PCI device; -1 if unknown.</summary>
    public int NumaNode { get; }

    /// <summary>Where the redirect program runs on the interface.</summary>
    public XdpAttachMode AttachMode => _attachment.Mode;

    /// <summary>True if frames move by the driver's DMA straight into the UMEM, false if the kernel copies them.</summary>
    public bool ZeroCopy => _socket.ZeroCopy;

    /// <summary>Whether the socket was asked to busy-poll the device (<see cref="XdpPortOptions.BusyPollBudget"/>).</summary>
    public bool BusyPolling => _busyPoll;

    /// <summary>Frames Transmit was handed but could not queue (empty or longer than a buffer), counted as sent.</summary>
    public long TxErrors => _txErrors;

    public bool LinkUp => _link.IsUp;

    /// <summary>This socket's (a queue's) frames the kernel dropped on receive (<see cref="XskSocket.RxDrops"/>); each read asks the kernel.</summary>
    public long RxMissed => _rxMissed.Read();

    /// <summary>One port per device queue, this one first, when the device has several; empty otherwise.</summary>
    public IReadOnlyList<IPort> Queues => _queues;

    /// <summary>The AF_XDP socket: it polls readable while the RX ring holds frames.</summary>
    public int ReadinessFd => _socket.Fd;

    public int Receive(Span<Frame> frames)
    {
        ReturnRxFrames();
        var rx = _socket.Rx;
        uint n = rx.Peek((uint)Math.Min(frames.Length, _rxLent.Length), out uint first);
        if (n == 0)
        {
            // The kernel may wait for a wake-up before it takes the fill ring again (or, busy
            // polling, before it polls the device at all).
            if (_busyPoll || _socket.Fill.NeedsWakeup) _socket.WakeRx();
            return 0;
        }
        for (uint i = 0; i < n; i++)
        {
            ref readonly var descriptor = ref rx.Descriptor(first + i);
            frames[(int)i] = new Frame { Data = _socket.Umem + descriptor.Address, Length = (int)descriptor.Length, Capacity = (int)descriptor.Length };
            _rxLent[i] = descriptor.Address;
        }
        rx.Release(n);
        _rxLentCount = (int)n;
        return (int)n;
    }

    public int AcquireTx(Span<Frame> frames)
    {
        ReturnUnsentTxFrames(0);
        ReclaimTxFrames();
        if (_txFreeCount < frames.Length && TxInFlight > 0 && _socket.Tx.NeedsWakeup)
        {
            // Frames wait in the TX ring for a wake-up (in copy mode the kernel sends a bounded batch per wake).
            _socket.WakeTx();
            ReclaimTxFrames();
        }
        int n = Math.Min(frames.Length, _txFreeCount);
        for (int i = 0; i < n; i++)
        {
            ulong address = _txFree[--_txFreeCount];
            _txLent[i] = address;
            frames[i] = new Frame { Data = _socket.Umem + address, Length = 0, Capacity = _txCapacity };
        }
        _txLentCount = n;
        return n;
    }

    public int Transmit(Span<Frame> frames, int count)
    {
        count = Math.Min(count, _txLentCount);
        var tx = _socket.Tx;
        // The TX ring has a slot for every TX frame, so it always has room for all of them.
        uint reserved = tx.Reserve((uint)count, out uint first);
        uint queued = 0;
        for (int i = 0; i < (int)reserved; i++)
        {
            int length = frames[i].Length;
            if (length <= 0 || length > _txCapacity)
            {
                // The kernel would skip such a descriptor without completing it, losing the frame.
                _txErrors++;
                _txFree[_txFreeCount++] = _txLent[i];
                continue;
            }
            ref var descriptor = ref tx.Descriptor(first + queued++);
            descriptor.Address = _txLent[i];
            descriptor.Length = (uint)length;
            descriptor.Options = 0;
        }
        tx.Submit(queued);
        ReturnUnsentTxFrames((int)reserved);
        if (queued > 0 && tx.NeedsWakeup) _socket.WakeTx();
        return (int)reserved;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _rxMissed.Close();
        // The program goes first, so no frame is redirected to a socket being closed.
        if (_ownsAttachment) _attachment.Dispose();
        _socket.Dispose();
        _link.Dispose();
        foreach (var queue in _queues)
            if (queue != this) queue.Dispose();
    }

    private int TxInFlight => _txFree.Length - _txFreeCount - _txLentCount;

    /// <summary>Gives the frames lent by the last Receive back to the kernel; the fill ring has room for every RX frame.</summary>
    private void ReturnRxFrames()
    {
        if (_rxLentCount == 0) return;
        var fill = _socket.Fill;
        uint room = fill.Reserve((uint)_rxLentCount, out uint first);
        for (uint i = 0; i < room; i++) fill.Address(first + i) = _rxLent[i] & ~(ulong)(XskSocket.FrameSize - 1);
        fill.Submit(room);
        _rxLentCount = 0;
    }

    /// <summary>Puts the lent TX buffers from <paramref name="first"/> on back on the free list (a caller that acquires again without transmitting loses none).</summary>
    private void ReturnUnsentTxFrames(int first)
    {
        for (int i = first; i < _txLentCount; i++) _txFree[_txFreeCount++] = _txLent[i];
        _txLentCount = 0;
    }

    /// <summary>Takes the frames the kernel has finished sending back onto the free list.</summary>
    private void ReclaimTxFrames()
    {
        var completion = _socket.Completion;
        uint n = completion.Peek(completion.Size, out uint first);
        if (n == 0) return;
        for (uint i = 0; i < n; i++) _txFree[_txFreeCount++] = completion.Address(first + i);
        completion.Release(n);
    }

    private static XskSocket OpenSocket(int ifindex, int queue, uint frameCount, XdpAttachMode mode, string interfaceName)
    {
        if (mode == XdpAttachMode.Native)
        {
            try
            {
                return XskSocket.Open(ifindex, queue, frameCount, XskInterop.XDP_ZEROCOPY | XskInterop.XDP_USE_NEED_WAKEUP);
            }
            catch (SystemCallException e)
            {
                Log.Info($"{interfaceName}: no AF_XDP zero-copy ({e.Message}); using copy mode");
            }
        }
        return XskSocket.Open(ifindex, queue, frameCount, XskInterop.XDP_COPY | XskInterop.XDP_USE_NEED_WAKEUP);
    }

    private static void EnableBusyPoll(int fd, int budget, string interfaceName)
    {
        try
        {
            XskInterop.SetIntOption(fd, Libc.SOL_SOCKET, XskInterop.SO_PREFER_BUSY_POLL, 1, "setsockopt SO_PREFER_BUSY_POLL");
            XskInterop.SetIntOption(fd, Libc.SOL_SOCKET, XskInterop.SO_BUSY_POLL, BusyPollMicroseconds, "setsockopt SO_BUSY_POLL");
            XskInterop.SetIntOption(fd, Libc.SOL_SOCKET, XskInterop.SO_BUSY_POLL_BUDGET, budget, "setsockopt SO_BUSY_POLL_BUDGET");
        }
        catch (SystemCallException e)
        {
            Log.Warning($"{interfaceName}: busy polling unavailable ({e.Message}); the device works from interrupts");
        }
    }
}
