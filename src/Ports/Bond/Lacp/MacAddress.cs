using System.Buffers.Binary;

namespace VirtioForwarder.Ports.Bond.Lacp;

/// <summary>A 48-bit MAC address held in one integer, first octet most significant, so it compares and copies as a value.</summary>
public readonly record struct MacAddress(ulong Value)
{
    public const int Size = 6;

    public static MacAddress Read(ReadOnlySpan<byte> bytes) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(bytes) << 32) | BinaryPrimitives.ReadUInt32BigEndian(bytes[2..]));

    public void Write(Span<byte> bytes)
    {
        BinaryPrimitives.WriteUInt16BigEndian(bytes, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(bytes[2..], (uint)Value);
    }

    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[Size];
        Write(bytes);
        return string.Join(':', bytes.ToArray().Select(b => b.ToString("x2")));
    }
}
