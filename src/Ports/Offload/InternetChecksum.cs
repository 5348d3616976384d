using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Offload;

/// <summary>The Internet checksum (RFC 1071): the one's-complement sum of 16-bit big-endian words.</summary>
public static class InternetChecksum
{
    /// <summary>Adds <paramref name="data"/> to a running sum (an odd last byte is padded with zero).</summary>
    public static ulong Add(ulong sum, ReadOnlySpan<byte> data)
    {
        int i = 0;
        for (; i + 4 <= data.Length; i += 4) sum += BinaryPrimitives.ReadUInt32BigEndian(data[i..]);
        for (; i + 2 <= data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) sum += (ulong)data[i] << 8;
        return sum;
    }

    /// <summary>Folds a running sum to 16 bits.</summary>
    public static ushort Fold(ulong sum)
    {
        while (sum > 0xffff) sum = (sum & 0xffff) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>The checksum field's value for a running sum: the folded sum, complemented.</summary>
    public static ushort Finish(ulong sum) => (ushort)~Fold(sum);
}
