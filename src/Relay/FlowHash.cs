namespace VirtioForwarder.Relay;

/// <summary>
/// Picks a guest RX queue for a frame so one flow always lands on the same queue (software RSS, as
/// upstream does): a hash of the IPv4 5-tuple, or of the MAC addresses and ethertype otherwise.
/// </summary>
public static unsafe class FlowHash
{
    public static uint Compute(byte* frame, int length)
    {
        if (length >= 34 && frame[12] == 0x08 && frame[13] == 0x00 && (frame[14] >> 4) == 4)
        {
            int ihl = (frame[14] & 0xf) * 4;
            uint h = Mix(*(uint*)(frame + 26), *(uint*)(frame + 30)) ^ frame[23];
            byte proto = frame[23];
            if ((proto == 6 || proto == 17) && length >= 14 + ihl + 4) h = Mix(h, *(uint*)(frame + 14 + ihl));
            return h;
        }
        if (length < 14) return 0;
        return Mix(Mix(*(uint*)frame, *(uint*)(frame + 4)), *(uint*)(frame + 8)) ^ *(ushort*)(frame + 12);
    }

    // A multiply-xorshift mix (from Murmur3's finaliser) spreads nearby addresses across queues.
    private static uint Mix(uint a, uint b)
    {
        uint h = (a ^ (b * 0x9E3779B1u)) * 0x85EBCA6Bu;
        h ^= h >> 13;
        h *= 0xC2B2AE35u;
        return h ^ (h >> 16);
    }
}
