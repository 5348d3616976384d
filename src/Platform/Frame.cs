namespace VirtioForwarder.Platform;

/// <summary>
/// One packet buffer handed between the virtqueue and port layers: where the frame's bytes are,
/// how many there are, and how many fit. The memory belongs to whoever lent the frame (a port's
/// buffer pool); a frame is a plain struct so a batch of them lives in a reusable array with no
/// per-packet object.
/// </summary>
public unsafe struct Frame
{
    public byte* Data;
    public int Length;
    public int Capacity;

    public readonly Span<byte> Bytes => new(Data, Length);
}
