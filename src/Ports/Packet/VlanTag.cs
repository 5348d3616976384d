using System.Buffers.Binary;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// An 802.1Q tag the NIC took off into packet metadata (AF_PACKET reports it in tpacket3_hdr),
/// put back into the frame so the VM sees what came off the wire.
/// </summary>
internal static unsafe class VlanTag
{
    public const int Size = 4;
    public const ushort DefaultTpid = 0x8100, QinQTpid = 0x88a8;

    private const int MacAddresses = 12;

    /// <summary>The tag's length if <paramref name="frame"/> carries one (an 802.1Q or 802.1ad TPID after the MAC addresses), else 0.</summary>
    public static int LengthIn(in Frame frame)
    {
        if (frame.Length < MacAddresses + 2) return 0;
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(new ReadOnlySpan<byte>(frame.Data + MacAddresses, 2));
        return type is DefaultTpid or QinQTpid ? Size : 0;
    }

    /// <summary>Moves the MAC addresses <see cref="Size"/> bytes back and writes the tag after them; returns the frame's new start. The bytes before <paramref name="frame"/> must be the ring's headroom.</summary>
    public static byte* Insert(byte* frame, ushort tpid, ushort tci)
    {
        byte* start = frame - Size;
        Buffer.MemoryCopy(frame, start, MacAddresses, MacAddresses);
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(start + MacAddresses, 2), tpid);
        BinaryPrimitives.WriteUInt16BigEndian(new Span<byte>(start + MacAddresses + 2, 2), tci);
        return start;
    }
}
