using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>RFC 1071 checksums, written independently of the port code so the tests check it.</summary>
public static class InternetChecksum
{
    /// <summary>The one's-complement sum of the data's 16-bit words (an odd last byte padded with 0), folded.</summary>
    public static ushort Sum(ReadOnlySpan<byte> data)
    {
        ulong sum = 0;
        for (int i = 0; i + 1 < data.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(data.Slice(i, 2));
        if (data.Length % 2 == 1) sum += (ulong)data[^1] << 8;
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>The value to store in a zeroed checksum field.</summary>
    public static ushort Compute(ReadOnlySpan<byte> data) => (ushort)~Sum(data);

    /// <summary>A header whose checksum field is right sums to all ones.</summary>
    public static bool IsValid(ReadOnlySpan<byte> data) => Sum(data) == 0xFFFF;
}
