using VirtioForwarder.Relay;

namespace VirtioForwarder.Relay.Tests;

public sealed unsafe class FlowHashTests
{
    private static byte[] Udp(byte srcLast, ushort srcPort)
    {
        var f = new byte[60];
        f[12] = 0x08; f[13] = 0x00;           // IPv4
        f[14] = 0x45; f[23] = 17;             // IHL 5, UDP
        f[26] = 198; f[27] = 18; f[28] = 0; f[29] = srcLast;
        f[30] = 198; f[31] = 18; f[32] = 0; f[33] = 2;
        f[34] = (byte)(srcPort >> 8); f[35] = (byte)srcPort;
        return f;
    }

    private static uint Hash(byte[] f)
    {
        fixed (byte* p = f) return FlowHash.Compute(p, f.Length);
    }

    [Fact]
    public void Same_flow_same_hash()
    {
        Assert.Equal(Hash(Udp(1, 1000)), Hash(Udp(1, 1000)));
    }

    [Fact]
    public void Flows_spread_over_two_queues()
    {
        var queues = new HashSet<uint>();
        for (ushort port = 1000; port < 1016; port++) queues.Add(Hash(Udp(1, port)) % 2);
        Assert.Equal(2, queues.Count);
    }

    [Fact]
    public void Short_and_non_ip_frames_hash_without_reading_past_the_end()
    {
        Assert.Equal(0u, Hash(new byte[10]));
        var arp = new byte[42];
        arp[12] = 0x08; arp[13] = 0x06;
        Hash(arp);
    }
}
