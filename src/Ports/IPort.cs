using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports;

/// <summary>
/// The host side of a relay: a NIC-like device that receives and transmits frames in batches.
/// Frames live in the port's own buffers, as with a NIC's DMA rings: Receive lends filled
/// buffers, AcquireTx lends empty ones to be filled and handed back through Transmit. One call
/// moves a whole batch, so the relay pays one interface dispatch per batch, not per packet.
/// Receive is called from one thread only, and AcquireTx/Transmit from one (possibly other) thread.
/// </summary>
public interface IPort : IDisposable
{
    /// <summary>What the port was opened from, e.g. <c>null</c>, <c>null:64</c>, <c>tap:vfwd0</c>.</summary>
    string Name { get; }

    /// <summary>Frames received since the last call, at most <c>frames.Length</c>; valid until the next Receive.</summary>
    int Receive(Span<Frame> frames);

    /// <summary>Lends up to <c>frames.Length</c> empty buffers (Length 0, Capacity set) for the caller to fill.</summary>
    int AcquireTx(Span<Frame> frames);

    /// <summary>Sends the first <paramref name="count"/> frames of those last acquired; returns how many went out (the rest are the caller's drops). Every acquired buffer returns to the port.</summary>
    int Transmit(Span<Frame> frames, int count);

    /// <summary>False while the port cannot carry traffic (link down); frames sent then are dropped and counted by the relay.</summary>
    bool LinkUp { get; }

    /// <summary>An fd that polls readable when frames wait to be received, or -1 if the port must be polled (a source that is always ready).</summary>
    int ReadinessFd { get; }

    /// <summary>
    /// The port takes frames whose offload state is left unresolved (<see cref="Frame.Offload"/>):
    /// a checksum to complete (NEEDS_CSUM) or a TCP frame to segment (GSO TCPv4/TCPv6, ECN). A port
    /// that does not is handed plain frames only; what a port receives may carry offload state either way.
    /// </summary>
    bool CarriesOffloads => false;

    /// <summary>
    /// Frames <see cref="Transmit"/> refused for being longer than the device's MTU allows; it only
    /// grows. Such a frame is not among those Transmit says went out, and its Length is set to 0.
    /// </summary>
    long TxOversize => 0;

    /// <summary>
    /// Frames the kernel dropped on receive because this port's (this queue's) receive ring was
    /// full, as DPDK's <c>imissed</c> counts a NIC's: they never reached <see cref="Receive"/>. It
    /// only grows, from the port's opening. Reading it may ask the kernel (a system call), so it is
    /// read off the data path; any one thread at a time may read it, also while another receives.
    /// </summary>
    long RxMissed => 0;

    /// <summary>The NUMA node of the device behind the port, or -1 when unknown or not tied to one; relays prefer worker CPUs there (contract §10.5).</summary>
    int NumaNode => -1;

    /// <summary>
    /// The device's queues as ports of their own, when it has several (an AF_XDP socket per queue):
    /// a relay then moves guest queue pair i's frames through queue i. Empty for a port with one
    /// queue, which the relay uses as it is. The queues belong to this port: it closes them.
    /// </summary>
    IReadOnlyList<IPort> Queues => [];
}
