using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Offload;

namespace VirtioForwarder.Relay;

/// <summary>
/// The one place offload state is resolved in software, where one side cannot take what the other
/// hands over: a checksum is completed in place, a TCP frame is cut into segments (into buffers
/// of its own), and what remains in the header is cleared. A batch that needs nothing (every
/// frame plain, or taken as it is) passes through untouched, so the cost on the fast path is one
/// test per frame. Used by one worker thread.
/// </summary>
internal sealed unsafe class OffloadFallback
{
    /// <summary>Frames one batch may become once cut; past them frames are dropped as a full queue.</summary>
    public const int MaxFrames = 512;

    /// <summary>Bytes of segments one batch may become: a whole batch of 64 KiB frames, cut.</summary>
    private const int ArenaBytes = Forwarder.Batch * (64 << 10) * 9 / 8;

    // Made on first use: most relays never meet a frame the guest cannot take.
    private Frame[]? _segments;
    private byte[]? _arena;
    private int _arenaUsed;

    /// <summary>Frames dropped by the last call for an offload they could not be resolved from (a malformed GSO or checksum header).</summary>
    public int Unresolvable { get; private set; }

    /// <summary>Frames dropped by the last call for want of room for their segments.</summary>
    public int NoRoom { get; private set; }

    /// <summary>
    /// Makes <paramref name="frames"/> (from the port) what the guest negotiated to take: returns
    /// them, or new frames in their place where one had to be segmented.
    /// </summary>
    public ReadOnlySpan<Frame> ForGuest(Span<Frame> frames, GuestOffloads guest)
    {
        Unresolvable = NoRoom = 0;
        int firstToCut = -1;
        for (int i = 0; i < frames.Length; i++)
        {
            ref var frame = ref frames[i];
            if (frame.Offload.IsPlain) continue;
            if (frame.Offload.GsoType != VirtioNetHeader.GsoNone)
            {
                if (!guest.TakesSegmentable(frame.Offload) && firstToCut < 0) firstToCut = i;
                continue;
            }
            if (!guest.TakesChecksum) Resolve(ref frame);
        }
        return firstToCut < 0 ? frames : Cut(frames, firstToCut, guest);
    }

    /// <summary>
    /// Makes the first <paramref name="count"/> of <paramref name="frames"/> (from the guest) plain
    /// for a port that carries no offloads, in place: checksums are completed. An unsegmented frame
    /// cannot be cut in the port's buffers; it is sent as it is (larger than the MTU), which only a
    /// guest that sends GSO without having negotiated HOST_TSO makes happen.
    /// </summary>
    public static void ForPort(Span<Frame> frames, int count)
    {
        for (int i = 0; i < count; i++)
        {
            ref var frame = ref frames[i];
            if (frame.Offload.IsPlain) continue;
            Resolve(ref frame);
        }
    }

    /// <summary>Completes a checksum and clears the header; a header pointing outside its frame is just cleared (the frame's checksum stays as it came).</summary>
    private static void Resolve(ref Frame frame)
    {
        if ((frame.Offload.Flags & VirtioNetHeader.NeedsChecksum) != 0) PartialChecksum.Complete(ref frame);
        frame.Offload = default;
    }

    /// <summary>The frames from <paramref name="first"/> on, with each one the guest cannot take cut into segments.</summary>
    private ReadOnlySpan<Frame> Cut(Span<Frame> frames, int first, GuestOffloads guest)
    {
        _segments ??= new Frame[MaxFrames];
        // Pinned: segments point into it.
        _arena ??= GC.AllocateUninitializedArray<byte>(ArenaBytes, pinned: true);
        byte* arena = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_arena));
        _arenaUsed = 0;
        frames[..first].CopyTo(_segments);
        int n = first;
        for (int i = first; i < frames.Length; i++)
        {
            ref var frame = ref frames[i];
            if (frame.Offload.GsoType == VirtioNetHeader.GsoNone || guest.TakesSegmentable(frame.Offload))
            {
                if (n < MaxFrames) _segments[n++] = frame;
                else NoRoom++;
                continue;
            }
            if (!TcpSegmentation.TryPlan(frame, out var plan)) { Unresolvable++; continue; }
            int stride = (plan.MaxSegmentLength + 63) & ~63;
            if (n + plan.Count > MaxFrames || _arenaUsed + plan.Count * stride > ArenaBytes) { NoRoom++; continue; }
            for (int s = 0; s < plan.Count; s++)
            {
                byte* target = arena + _arenaUsed;
                int length = TcpSegmentation.WriteSegment(frame, plan, s, target);
                _arenaUsed += stride;
                _segments[n++] = new Frame { Data = target, Length = length, Capacity = length };
            }
        }
        return _segments.AsSpan(0, n);
    }
}
