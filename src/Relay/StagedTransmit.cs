using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Ports.Offload;

namespace VirtioForwarder.Relay;

/// <summary>
/// VM→host for a port that carries no offloads behind a guest that may send unsegmented TCP (it
/// negotiated HOST_TSO while an earlier port carried offloads; see Relay.OnConnected): the guest's
/// frames are taken into buffers of the largest frame first, then copied into the port's buffers
/// plain, checksums completed and unsegmented frames cut into segments, in as many port batches
/// as it takes. That second copy is paid only in this case. Used by one worker thread.
/// </summary>
internal sealed unsafe class StagedTransmit
{
    private readonly Frame[] _staged = new Frame[Forwarder.Batch];
    private readonly Frame[] _out = new Frame[Forwarder.Batch];
    // Made on first use (pinned: frames point into it): most relays never need it.
    private byte[]? _buffers;
    private IPort _port = null!;
    private int _lent, _filled;

    public int Sent { get; private set; }
    public long SentBytes { get; private set; }
    public int Oversize { get; private set; }
    public int NoRoom { get; private set; }

    /// <summary>Empty staging buffers for the guest's frames, each the largest frame long.</summary>
    public Span<Frame> Lend()
    {
        _buffers ??= GC.AllocateUninitializedArray<byte>(_staged.Length * VirtioNetHeader.MaxGsoFrame, pinned: true);
        byte* block = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_buffers));
        for (int i = 0; i < _staged.Length; i++)
            _staged[i] = new Frame { Data = block + (nint)i * VirtioNetHeader.MaxGsoFrame, Capacity = VirtioNetHeader.MaxGsoFrame };
        return _staged;
    }

    /// <summary>Sends <paramref name="frames"/> (staged) through <paramref name="port"/> as plain frames; the counts say how it went.</summary>
    public void Send(IPort port, Span<Frame> frames)
    {
        _port = port;
        _lent = _filled = 0;
        Sent = Oversize = NoRoom = 0;
        SentBytes = 0;
        foreach (ref var frame in frames)
        {
            if (frame.Offload.GsoType == VirtioNetHeader.GsoNone) SendWhole(ref frame);
            else SendCut(frame);
        }
        Flush();
    }

    private void SendWhole(ref Frame frame)
    {
        if ((frame.Offload.Flags & VirtioNetHeader.NeedsChecksum) != 0) PartialChecksum.Complete(ref frame);
        if (!HasBufferFor(frame.Length)) return;
        ref var target = ref _out[_filled++];
        Buffer.MemoryCopy(frame.Data, target.Data, frame.Length, frame.Length);
        target.Length = frame.Length;
    }

    private void SendCut(in Frame frame)
    {
        if (!TcpSegmentation.TryPlan(frame, out var plan)) { Oversize++; return; }
        for (int s = 0; s < plan.Count; s++)
        {
            if (!HasBufferFor(plan.MaxSegmentLength)) return;
            ref var target = ref _out[_filled++];
            target.Length = TcpSegmentation.WriteSegment(frame, plan, s, target.Data);
        }
    }

    /// <summary>Whether the next port buffer (a full batch flushed first) holds <paramref name="length"/> bytes; if not, the frame is counted as dropped.</summary>
    private bool HasBufferFor(int length)
    {
        if (_filled == _lent)
        {
            Flush();
            _lent = _port.AcquireTx(_out);
        }
        if (_filled == _lent) { NoRoom++; return false; }
        if (length > _out[_filled].Capacity) { Oversize++; return false; }
        return true;
    }

    private void Flush()
    {
        if (_lent == 0) return;
        int sent = _port.Transmit(_out, _filled);
        for (int i = 0; i < sent; i++) SentBytes += _out[i].Length;
        Sent += sent;
        NoRoom += _filled - sent;
        _lent = _filled = 0;
    }
}
