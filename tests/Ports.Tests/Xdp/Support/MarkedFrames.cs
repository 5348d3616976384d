using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Tests.Xdp.Support;

/// <summary>
/// Test frames nothing else sends: EtherType 0x88B5 (IEEE 802 local experimental), a sequence
/// number, then bytes derived from it, so a received frame is recognised and checked whole.
/// </summary>
public static class MarkedFrames
{
    public const ushort EtherType = 0x88B5;
    private const int HeaderLength = 14, MinLength = 60, MaxLength = 1514;

    /// <summary>Frame <paramref name="sequence"/>, its length varying between 60 and 1514 bytes.</summary>
    public static byte[] Build(byte[] destination, byte[] source, int sequence)
    {
        var frame = new byte[MinLength + sequence * 37 % (MaxLength - MinLength + 1)];
        destination.CopyTo(frame, 0);
        source.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherType);
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(HeaderLength), sequence);
        for (int i = HeaderLength + 4; i < frame.Length; i++) frame[i] = (byte)(sequence + i);
        return frame;
    }

    public static bool IsMarked(ReadOnlySpan<byte> frame) =>
        frame.Length >= HeaderLength + 4 && BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) == EtherType;

    public static int Sequence(ReadOnlySpan<byte> frame) => BinaryPrimitives.ReadInt32BigEndian(frame[HeaderLength..]);
}
