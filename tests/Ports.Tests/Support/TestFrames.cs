using System.Buffers.Binary;
using System.Net;

namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>Builds and reads the few frames the tap tests exchange with a namespace's kernel: ARP and ICMP echo.</summary>
public static class TestFrames
{
    public const ushort EtherTypeIpv4 = 0x0800, EtherTypeArp = 0x0806;
    public const ushort ArpRequest = 1, ArpReply = 2;
    private const int EthernetHeader = 14, ArpLength = 28;
    private const byte IcmpProtocol = 1, IcmpEchoRequest = 8, IcmpEchoReply = 0;
    private static readonly byte[] Broadcast = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    public static ushort EtherType(ReadOnlySpan<byte> frame) =>
        frame.Length < EthernetHeader ? (ushort)0 : BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);

    public static byte[] SourceMac(ReadOnlySpan<byte> frame) => frame.Slice(6, 6).ToArray();

    /// <summary>Matches an ARP frame of <paramref name="operation"/> whose target is <paramref name="target"/>.</summary>
    public static Func<byte[], bool> IsArpAbout(ushort operation, IPAddress target) =>
        f => ReadArp(f) is { } arp && arp.Operation == operation && arp.TargetIp.Equals(target);

    /// <summary>An ARP frame's operation and addresses, or null for any other frame.</summary>
    public static Arp? ReadArp(ReadOnlySpan<byte> frame)
    {
        if (EtherType(frame) != EtherTypeArp || frame.Length < EthernetHeader + ArpLength) return null;
        var arp = frame[EthernetHeader..];
        return new Arp(
            BinaryPrimitives.ReadUInt16BigEndian(arp[6..]),
            arp.Slice(8, 6).ToArray(), new IPAddress(arp.Slice(14, 4)),
            arp.Slice(18, 6).ToArray(), new IPAddress(arp.Slice(24, 4)));
    }

    /// <summary>An ARP request or reply; requests go to broadcast with an all-zero target MAC.</summary>
    public static byte[] BuildArp(ushort operation, byte[] senderMac, IPAddress senderIp, byte[] targetMac, IPAddress targetIp)
    {
        var frame = new byte[EthernetHeader + ArpLength];
        (operation == ArpRequest ? Broadcast : targetMac).CopyTo(frame, 0);
        senderMac.CopyTo(frame, 6);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), EtherTypeArp);
        var arp = frame.AsSpan(EthernetHeader);
        BinaryPrimitives.WriteUInt16BigEndian(arp, 1); // Ethernet
        BinaryPrimitives.WriteUInt16BigEndian(arp[2..], EtherTypeIpv4);
        arp[4] = 6;
        arp[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(arp[6..], operation);
        senderMac.CopyTo(arp[8..]);
        senderIp.GetAddressBytes().CopyTo(arp[14..]);
        if (operation == ArpReply) targetMac.CopyTo(arp[18..]);
        targetIp.GetAddressBytes().CopyTo(arp[24..]);
        return frame;
    }

    public static bool IsEchoRequest(ReadOnlySpan<byte> frame) =>
        EtherType(frame) == EtherTypeIpv4 && frame.Length > EthernetHeader + 20
        && frame[EthernetHeader + 9] == IcmpProtocol && frame[IcmpOffset(frame)] == IcmpEchoRequest;

    /// <summary>The echo reply a host would send back: addresses swapped, type 0, ICMP checksum redone.</summary>
    public static byte[] EchoReplyTo(ReadOnlySpan<byte> request)
    {
        var reply = request.ToArray();
        request.Slice(6, 6).CopyTo(reply);
        request[..6].CopyTo(reply.AsSpan(6));
        var ip = reply.AsSpan(EthernetHeader);
        request.Slice(EthernetHeader + 16, 4).CopyTo(ip[12..]);
        request.Slice(EthernetHeader + 12, 4).CopyTo(ip[16..]); // a swap leaves the IPv4 checksum right
        int icmpOffset = IcmpOffset(request);
        int icmpEnd = EthernetHeader + BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        var icmp = reply.AsSpan(icmpOffset, icmpEnd - icmpOffset);
        icmp[0] = IcmpEchoReply;
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(icmp[2..], InternetChecksum.Compute(icmp));
        return reply;
    }

    private static int IcmpOffset(ReadOnlySpan<byte> frame) => EthernetHeader + (frame[EthernetHeader] & 0x0F) * 4;
}

public sealed record Arp(ushort Operation, byte[] SenderMac, IPAddress SenderIp, byte[] TargetMac, IPAddress TargetIp);
