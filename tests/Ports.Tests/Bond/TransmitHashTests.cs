using VirtioForwarder.Ports.Bond;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>The hashes against values worked out here from DPDK's definitions, byte by byte.</summary>
public unsafe class TransmitHashTests
{
    private static readonly byte[] Dst = [0x00, 0x11, 0x22, 0x33, 0x44, 0x55], Src = [0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB];

    private static uint Hash(TransmitHashPolicy policy, byte[] frame)
    {
        fixed (byte* p = frame) return TransmitHash.Hash(policy, p, frame.Length);
    }

    // ether_hash: the XOR of the six little-endian 16-bit words of both addresses.
    private static uint EtherHash(byte[] f)
    {
        int low = 0, high = 0;
        for (int i = 0; i < 12; i += 2)
        {
            low ^= f[i];
            high ^= f[i + 1];
        }
        return (uint)(low | high << 8);
    }

    private static uint Fold(uint h)
    {
        h ^= h >> 16;
        return h ^ (h >> 8);
    }

    // An IPv4 address as DPDK's uint32 read of network-order bytes sees it on x86.
    private static uint LittleEndian(uint networkOrder) => System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(networkOrder);

    [Fact]
    public void Layer2_xors_the_address_words_and_folds_one_byte()
    {
        var frame = BondFrames.Ethernet(Dst, Src);
        uint h = EtherHash(frame);
        Assert.Equal(h ^ (h >> 8), Hash(TransmitHashPolicy.Layer2, frame));
        Assert.Equal(0x2222u ^ 0x22u, EtherHash(frame) ^ (EtherHash(frame) >> 8));
    }

    [Fact]
    public void Layer23_adds_the_ip_addresses_and_layer34_the_ports()
    {
        var frame = BondFrames.Udp(Dst, Src, 0xC6120001, 0xC6120002, 1000, 2000);
        uint l3 = LittleEndian(0xC6120001) ^ LittleEndian(0xC6120002);
        uint l4 = (uint)(System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)1000) ^ System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((ushort)2000));
        Assert.Equal(Fold(EtherHash(frame) ^ l3), Hash(TransmitHashPolicy.Layer23, frame));
        Assert.Equal(Fold(l3 ^ l4), Hash(TransmitHashPolicy.Layer34, frame));
    }

    [Fact]
    public void Layer34_ignores_ports_of_fragments_and_skips_a_vlan_tag()
    {
        var fragment = BondFrames.Udp(Dst, Src, 0xC6120001, 0xC6120002, 1000, 2000);
        fragment[21] = 0x08; // fragment offset 8
        uint l3 = LittleEndian(0xC6120001) ^ LittleEndian(0xC6120002);
        Assert.Equal(Fold(l3), Hash(TransmitHashPolicy.Layer34, fragment));

        var plain = BondFrames.Udp(Dst, Src, 0xC6120001, 0xC6120002, 1000, 2000);
        var tagged = new byte[plain.Length + 4];
        plain.AsSpan(0, 12).CopyTo(tagged);
        tagged[12] = 0x81; tagged[13] = 0x00; tagged[14] = 0x00; tagged[15] = 0x05;
        plain.AsSpan(12).CopyTo(tagged.AsSpan(16));
        Assert.Equal(Hash(TransmitHashPolicy.Layer34, plain), Hash(TransmitHashPolicy.Layer34, tagged));
    }

    [Fact]
    public void Short_and_non_ip_frames_hash_without_reading_past_their_end()
    {
        Assert.Equal(0u, Hash(TransmitHashPolicy.Layer34, BondFrames.Ethernet(Dst, Src)));
        Assert.Equal(0u, Hash(TransmitHashPolicy.Layer2, new byte[10]));
        var truncated = BondFrames.Udp(Dst, Src, 1, 2, 3, 4)[..30];
        Assert.Equal(Fold(EtherHash(truncated)), Hash(TransmitHashPolicy.Layer23, truncated));
    }
}
