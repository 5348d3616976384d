using System.Diagnostics;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Virtqueue;

namespace VirtioForwarder.Relay;

/// <summary>
/// VM→host: drains the guest's TX queues round-robin, copying each frame straight into a buffer
/// the port lends (the one copy a NIC's DMA would make), then hands the batch to the port.
/// Without a port the frames are still taken from the guest, into a private sink, and counted as
/// not-connected drops, so the guest's TX ring never stalls. A port with several queues takes
/// guest TX queue i's frames on its queue i (modulo its queue count). Copied frames are evicted
/// from the cache when that lets the guest send more (<see cref="EvictionTuner"/>).
/// </summary>
public sealed class VmToPortForwarder(RelaySides sides, int queuePairs) : Forwarder(queuePairs), IDisposable
{
    private readonly Frame[] _frames = new Frame[Batch];
    private readonly PortQueues _portQueues = new();
    private readonly StagedTransmit _staged = new();
    // Windows of 5 ms; none where the CPU cannot evict.
    private readonly EvictionTuner? _eviction = CacheLines.Supported ? new(Stopwatch.Frequency / 200) : null;
    // Made on first use: most relays always have a port, or never see a VM.
    private IPort? _sink;

    public override int Poll()
    {
        var device = sides.Device;
        if (device is null) return 0;
        var queues = device.LiveQueues.GuestTx;
        int moved = 0;
        foreach (var q in queues)
        {
            if (!q.TryEnter()) continue;
            try
            {
                if (q.IsLive && q.HasAvailable) moved += Forward(q, device);
            }
            finally
            {
                q.Exit();
            }
        }
        if (moved > 0) _eviction?.Record(moved, Stopwatch.GetTimestamp());
        return moved;
    }

    /// <summary>Whether copied guest frames are evicted from the cache now (<see cref="EvictionTuner"/>).</summary>
    public bool EvictingGuestFrames => _eviction?.Evicting ?? false;

    private int Forward(GuestQueue q, Device.VhostUserNetDevice device)
    {
        int queue = q.Index / 2;
        var port = sides.Port;
        if (port is not null && _portQueues.Of(port) is { Length: > 0 } portQueues) port = portQueues[queue % portQueues.Length];
        var target = port ?? (_sink ??= PortFactory.Open(PortSpec.Parse("null")));
        var guest = new GuestOffloads(device.NegotiatedFeatures);
        // A port that cannot take the unsegmented frames the guest may send gets them through staging buffers.
        bool staged = port is not null && !port.CarriesOffloads && guest.SendsSegmentable;
        var frames = staged ? _staged.Lend() : _frames.AsSpan(0, target.AcquireTx(_frames));
        ulong oversizeBefore = q.OversizeDrops;
        q.EvictCopiedFrames = EvictingGuestFrames;
        int got = q.Dequeue(frames);
        var c = Counters;
        if (q.OversizeDrops != oversizeBefore) c.AddDrops(DropReason.Oversize, queue, (long)(q.OversizeDrops - oversizeBefore));
        if (q.BrokenReason is { } reason) device.ReportBroken(reason);

        long bytes = 0;
        for (int i = 0; i < got; i++) bytes += frames[i].Length;
        c.RxPackets += got;
        c.RxBytes += bytes;
        if (port is null || !port.LinkUp)
        {
            if (!staged) target.Transmit(_frames, 0);
            if (port is null) c.AddDrops(DropReason.NotConnected, queue, got);
            else c.AddDrops(DropReason.LinkDown, queue, got);
            return got;
        }
        if (staged) return SendStaged(port, frames[..got], queue);
        if (!port.CarriesOffloads && guest.Sends) OffloadFallback.ForPort(_frames, got);
        long refusedBefore = port.TxOversize;
        int sent = port.Transmit(_frames, got);
        int oversize = (int)(port.TxOversize - refusedBefore);
        c.TxPackets += sent;
        if (oversize != 0)
        {
            // The port set the length of each frame it refused to 0.
            c.AddDrops(DropReason.Oversize, queue, oversize);
            bytes = 0;
            for (int i = 0; i < got; i++) bytes += _frames[i].Length;
        }
        if (sent + oversize == got) c.TxBytes += bytes;
        else
        {
            for (int i = 0; i < sent; i++) c.TxBytes += _frames[i].Length;
            c.AddDrops(DropReason.QueueFull, queue, got - sent - oversize);
        }
        return got;
    }

    private int SendStaged(IPort port, Span<Frame> frames, int queue)
    {
        _staged.Send(port, frames);
        var c = Counters;
        c.TxPackets += _staged.Sent;
        c.TxBytes += _staged.SentBytes;
        if (_staged.Oversize != 0) c.AddDrops(DropReason.Oversize, queue, _staged.Oversize);
        if (_staged.NoRoom != 0) c.AddDrops(DropReason.QueueFull, queue, _staged.NoRoom);
        return frames.Length;
    }

    public override void PrepareSleep(List<int> waitFds)
    {
        if (sides.Device is not { } device) return;
        foreach (var q in device.LiveQueues.GuestTx) KickControl.Arm(q, waitFds);
    }

    public override void EndSleep()
    {
        if (sides.Device is not { } device) return;
        foreach (var q in device.LiveQueues.GuestTx) KickControl.Disarm(q);
    }

    public void Dispose() => _sink?.Dispose();
}
