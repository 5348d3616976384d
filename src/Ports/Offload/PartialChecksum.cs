using System.Buffers.Binary;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Offload;

/// <summary>
/// Completes a checksum left to the device (NEEDS_CSUM, virtio 1.2 §5.1.6.2): the field at
/// csum_start + csum_offset holds the pseudo-header's sum, and the sum from csum_start to the end
/// of the frame, complemented, completes it, as a NIC's checksum offload would.
/// </summary>
public static unsafe class PartialChecksum
{
    /// <summary>Writes the checksum in place and clears NEEDS_CSUM; false if the header points outside the frame.</summary>
    public static bool Complete(ref Frame frame)
    {
        int start = frame.Offload.ChecksumStart;
        int field = start + frame.Offload.ChecksumOffset;
        if (field + 2 > frame.Length) return false;
        var bytes = new Span<byte>(frame.Data, frame.Length);
        ushort checksum = InternetChecksum.Finish(InternetChecksum.Add(0, bytes[start..]));
        // 0 means "no checksum" to UDP; its one's-complement twin 0xffff is the same sum.
        BinaryPrimitives.WriteUInt16BigEndian(bytes[field..], checksum == 0 ? (ushort)0xffff : checksum);
        frame.Offload.Flags &= unchecked((byte)~VirtioNetHeader.NeedsChecksum);
        return true;
    }
}
