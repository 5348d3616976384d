using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Virtqueue;

namespace VirtioForwarder.Relay;

/// <summary>
/// Host→VM: receives from the port only as many frames as the guest has RX buffers for (so frames
/// wait in the port, not in drop counters, while the guest is slow), spreads them over the guest's
/// RX queues by flow, and writes them into guest memory. With no VM connected, frames a port
/// receives are counted as not-connected drops; a generating port is not asked for frames at all.
/// A port with several queues (<see cref="IPort.Queues"/>) delivers its queue i into guest
/// RX queue i (modulo the guest's queue count) instead of spreading by flow. Offload state the
/// guest did not negotiate to take is resolved first (<see cref="OffloadFallback"/>).
/// </summary>
public sealed unsafe class PortToVmForwarder(RelaySides sides, int queuePairs) : Forwarder(queuePairs)
{
    private readonly Frame[] _frames = new Frame[Batch];
    private readonly PortQueues _portQueues = new();
    private readonly OffloadFallback _offloads = new();
    private Frame[][] _byQueue = [];
    private int[] _queueFill = [];

    public override int Poll()
    {
        var port = sides.Port;
        if (port is null) return 0;
        var portQueues = _portQueues.Of(port);
        var queues = sides.Device?.LiveQueues.GuestRx ?? [];
        if (queues.Length == 0)
        {
            if (port.ReadinessFd < 0) return 0;
            if (portQueues.Length == 0) return DropUnconnected(port);
            int dropped = 0;
            foreach (var portQueue in portQueues) dropped += DropUnconnected(portQueue);
            return dropped;
        }
        if (portQueues.Length > 0)
        {
            int moved = 0;
            for (int i = 0; i < portQueues.Length; i++) moved += ForwardToOne(queues[i % queues.Length], portQueues[i]);
            return moved;
        }
        return queues.Length == 1 ? ForwardToOne(queues[0], port) : ForwardSpread(queues, port);
    }

    private int DropUnconnected(IPort port)
    {
        int n = port.Receive(_frames);
        Count(n);
        Counters.AddDrops(DropReason.NotConnected, n);
        return n;
    }

    private int ForwardToOne(GuestQueue q, IPort port)
    {
        if (!q.TryEnter()) return 0;
        try
        {
            if (!q.IsLive) return 0;
            int budget = Math.Min(Batch, q.AvailableEntries);
            if (budget == 0) return 0;
            int n = port.Receive(_frames.AsSpan(0, budget));
            Count(n);
            Deliver(q, ForGuest(_frames.AsSpan(0, n)));
            return n;
        }
        finally { q.Exit(); }
    }

    private int ForwardSpread(GuestQueue[] queues, IPort port)
    {
        // The flow hash may send the whole batch to one queue: take only as many frames as the
        // fullest queue has room for, so the rest wait in the port instead of being dropped
        // (a guest slow on one queue slows all of them down, as PrepareSleep waits for it).
        int budget = Batch;
        foreach (var q in queues) budget = Math.Min(budget, q.AvailableEntries);
        if (budget == 0) return 0;
        int n = port.Receive(_frames.AsSpan(0, budget));
        Count(n);
        var frames = ForGuest(_frames.AsSpan(0, n));
        EnsureBuckets(queues.Length);
        _queueFill.AsSpan(0, queues.Length).Clear();
        foreach (ref readonly var frame in frames)
        {
            int qi = (int)(FlowHash.Compute(frame.Data, frame.Length) % (uint)queues.Length);
            _byQueue[qi][_queueFill[qi]++] = frame;
        }
        for (int qi = 0; qi < queues.Length; qi++)
        {
            var batch = _byQueue[qi].AsSpan(0, _queueFill[qi]);
            if (batch.IsEmpty) continue;
            var q = queues[qi];
            if (!q.TryEnter()) { Counters.AddDrops(DropReason.QueueFull, q.Index / 2, batch.Length); continue; }
            try
            {
                if (q.IsLive) Deliver(q, batch);
                else Counters.AddDrops(DropReason.NotConnected, q.Index / 2, batch.Length);
            }
            finally { q.Exit(); }
        }
        return n;
    }

    private void Deliver(GuestQueue q, ReadOnlySpan<Frame> frames)
    {
        ulong tooSmallBefore = q.RxBufferTooSmallDrops;
        int taken = q.Enqueue(frames);
        if (q.BrokenReason is { } reason) sides.Device?.ReportBroken(reason);
        // Taken frames include those the guest's buffers were too small for (no MRG_RXBUF).
        int tooSmall = (int)(q.RxBufferTooSmallDrops - tooSmallBefore);
        var c = Counters;
        c.TxPackets += taken - tooSmall;
        if (tooSmall == 0)
            for (int i = 0; i < taken; i++) c.TxBytes += frames[i].Length;
        else c.AddDrops(DropReason.Oversize, q.Index / 2, tooSmall);
        if (taken < frames.Length) c.AddDrops(DropReason.QueueFull, q.Index / 2, frames.Length - taken);
    }

    private ReadOnlySpan<Frame> ForGuest(Span<Frame> frames)
    {
        var resolved = _offloads.ForGuest(frames, new GuestOffloads(sides.Device?.NegotiatedFeatures ?? 0));
        if (_offloads.Unresolvable != 0) Counters.AddDrops(DropReason.Oversize, _offloads.Unresolvable);
        if (_offloads.NoRoom != 0) Counters.AddDrops(DropReason.QueueFull, _offloads.NoRoom);
        return resolved;
    }

    private void Count(int n)
    {
        var c = Counters;
        c.RxPackets += n;
        for (int i = 0; i < n; i++) c.RxBytes += _frames[i].Length;
    }

    private void EnsureBuckets(int queues)
    {
        if (_byQueue.Length >= queues) return;
        _byQueue = new Frame[queues][];
        // A batch of frames may become more once cut into segments.
        for (int i = 0; i < queues; i++) _byQueue[i] = new Frame[OffloadFallback.MaxFrames];
        _queueFill = new int[queues];
    }

    public override void PrepareSleep(List<int> waitFds)
    {
        var port = sides.Port;
        // A port whose link is down may poll ready forever (an error, not frames): wake on the
        // worker's timeout and try it again instead.
        if (port is null || !port.LinkUp) return;
        var queues = sides.Device?.LiveQueues.GuestRx ?? [];
        var portQueues = _portQueues.Of(port);
        if (portQueues.Length > 0)
        {
            // Port queue i fills guest queue i (modulo): wait for its frames if that queue has
            // room, else for the guest to post buffers there.
            for (int i = 0; i < portQueues.Length; i++)
            {
                if (queues.Length == 0 || queues[i % queues.Length].HasAvailable) waitFds.Add(portQueues[i].ReadinessFd);
                else KickControl.Arm(queues[i % queues.Length], waitFds);
            }
            return;
        }
        // One port queue spread over the guest's: Poll moves frames only while every queue has room.
        bool room = true;
        foreach (var q in queues) room &= q.HasAvailable;
        if (room)
        {
            if (port.ReadinessFd >= 0) waitFds.Add(port.ReadinessFd);
            return;
        }
        // The guest has no buffers: wait for it to post some.
        foreach (var q in queues)
            if (!q.HasAvailable) KickControl.Arm(q, waitFds);
    }

    public override void EndSleep()
    {
        foreach (var q in sides.Device?.LiveQueues.GuestRx ?? []) KickControl.Disarm(q);
    }
}
