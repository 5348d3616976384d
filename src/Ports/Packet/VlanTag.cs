using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Packet;

/// <summary>
/// An 802.1Q tag the NIC took off into packet metadata (AF_PACKET reports it in tpacket3_hdr),
/// put back into the frame so the VM sees what came off the wire.
/// </summary>
internal static unsafe class VlanTag
{
    public const int Size = 4;
    public const ushort DefaultTpid = 0x8100;

    private const int MacAddresses = 12;

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
