using System.Runtime.InteropServices;

namespace VirtioForwarder.Virtqueue;

/// <summary>A split-ring descriptor (virtio 1.2 §2.7.5): little-endian, 16 bytes.</summary>
[StructLayout(LayoutKind.Sequential, Size = 16)]
internal struct VringDesc
{
    public ulong Addr;
    public uint Len;
    public ushort Flags;
    public ushort Next;
}

/// <summary>
/// Where things are in a split virtqueue's three parts (virtio 1.2 §2.7, "Virtqueue Part Sizes"
/// and §2.7.6/§2.7.8). Both event-index fields are always part of the layout, negotiated or not.
/// </summary>
internal static class RingLayout
{
    public const ushort DescNext = 1, DescWrite = 2, DescIndirect = 4;   // §2.7.5
    public const ushort AvailNoInterrupt = 1;                           // §2.7.6
    public const ushort UsedNoNotify = 1;                               // §2.7.8

    // Alignments the spec requires (§2.7, table "Virtqueue Part Alignment"); they also keep the
    // 16-bit indexes from straddling a cache line, so their loads and stores stay atomic.
    public const ulong DescAlign = 16, AvailAlign = 2, UsedAlign = 4;

    /// <summary>
    /// Most entries accepted in one indirect table: the largest queue size. The spec bounds a
    /// chain by what the device allows (§2.7.5.3.1); walking a table is bounded by its entry
    /// count anyway, so the limit only refuses tables no driver builds.
    /// </summary>
    public const uint MaxIndirectEntries = 32768;

    // Both the avail and the used ring start with u16 flags, u16 idx, then the ring.
    public const uint FlagsOffset = 0, IdxOffset = 2, RingOffset = 4;
    public const uint DescSize = 16, UsedElemSize = 8;

    public static ulong DescTableBytes(uint size) => DescSize * (ulong)size;
    public static ulong AvailBytes(uint size) => 6 + 2 * (ulong)size;
    public static ulong UsedBytes(uint size) => 6 + UsedElemSize * (ulong)size;

    /// <summary>used_event, the avail ring's last field (§2.7.10).</summary>
    public static uint UsedEventOffset(uint size) => RingOffset + 2 * size;

    /// <summary>avail_event, the used ring's last field (§2.7.10).</summary>
    public static uint AvailEventOffset(uint size) => RingOffset + UsedElemSize * size;

    public static uint UsedElemOffset(uint slot) => RingOffset + UsedElemSize * slot;

    /// <summary>
    /// vring_need_event (§2.7.10): the driver asked to be notified once the used index passes
    /// <paramref name="eventIdx"/>; true if moving it from <paramref name="oldIdx"/> to
    /// <paramref name="newIdx"/> did. All arithmetic is modulo 2^16.
    /// </summary>
    public static bool NeedEvent(ushort eventIdx, ushort newIdx, ushort oldIdx) =>
        (ushort)(newIdx - eventIdx - 1) < (ushort)(newIdx - oldIdx);
}

/// <summary>
/// A packed virtqueue's parts (virtio 1.2 §2.8): one ring of 16-byte descriptors (addr, len, id,
/// flags; §2.8.13) and two 4-byte event suppression structures (§2.8.14), the driver's (in the
/// place of the avail ring) and the device's (in the place of the used ring).
/// </summary>
internal static class PackedLayout
{
    /// <summary>Descriptor flags beside NEXT, WRITE and INDIRECT (§2.8.1).</summary>
    public const ushort DescAvail = 1 << 7, DescUsed = 1 << 15;

    /// <summary>Where a packed descriptor keeps the buffer ID and the flags.</summary>
    public const uint IdOffset = 12, DescFlagsOffset = 14, LenOffset = 8;

    /// <summary>struct pvirtq_event_suppress: le16 desc (offset in bits 0-14, wrap counter in bit 15), le16 flags.</summary>
    public const uint EventOffWrapOffset = 0, EventFlagsOffset = 2, EventBytes = 4;

    /// <summary>Event suppression flags values (§2.8.14).</summary>
    public const ushort EventEnable = 0, EventDisable = 1, EventDesc = 2;

    /// <summary>Bit 15 of an event's off_wrap, and of SET_VRING_BASE's value for a packed ring: the wrap counter.</summary>
    public const ushort WrapBit = 1 << 15;

    // §2.8.10.1 "Structure Size and Alignment".
    public const ulong DescAlign = 16, EventAlign = 4;

    /// <summary>
    /// Flags that make a descriptor available (§2.8.1): AVAIL equal to the driver's wrap counter
    /// and USED not. A used descriptor has both equal to the device's (§2.8.2).
    /// </summary>
    public static bool IsAvailable(ushort flags, bool wrap) =>
        ((flags & DescAvail) != 0) == wrap && ((flags & DescUsed) != 0) != wrap;

    public static ushort UsedFlags(bool wrap) => wrap ? (ushort)(DescAvail | DescUsed) : (ushort)0;
}
