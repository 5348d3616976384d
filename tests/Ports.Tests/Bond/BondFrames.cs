using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>Frames for bond tests: Ethernet with chosen addresses, optionally IPv4 and UDP ports.</summary>
public static class BondFrames
{
    public static byte[] Ethernet(byte[] destination, byte[] source, ushort etherType = 0x88B5, int length = 64)
    {
        var f = new byte[length];
        destination.CopyTo(f, 0);
        source.CopyTo(f, 6);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), etherType);
        return f;
    }

    public static byte[] Udp(byte[] destination, byte[] source, uint sourceIp, uint destinationIp, ushort sourcePort, ushort destinationPort)
    {
        var f = Ethernet(destination, source, 0x0800, 64);
        f[14] = 0x45;
        f[23] = 17;
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(26), sourceIp);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(30), destinationIp);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(34), sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(36), destinationPort);
        return f;
    }

    /// <summary>A frame numbered in its last four bytes, so tests can tell frames apart.</summary>
    public static byte[] Numbered(int number)
    {
        var f = Ethernet([2, 0, 0, 0, 0, 0xBB], [2, 0, 0, 0, 0, 0xAA]);
        BinaryPrimitives.WriteInt32BigEndian(f.AsSpan(60), number);
        return f;
    }

    public static int NumberOf(byte[] frame) => BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(60));
}
