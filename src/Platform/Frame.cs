namespace VirtioForwarder.Platform;

/// <summary>
/// One packet buffer handed between the virtqueue and port layers: where the frame's bytes are,
/// how many there are, how many fit, and its offload state (all zero for a plain frame). The
/// memory belongs to whoever lent the frame (a port's buffer pool); a frame is a plain struct so
/// a batch of them lives in a reusable array with no per-packet object.
/// </summary>
public unsafe struct Frame
{
    public byte* Data;
    public int Length;
    public int Capacity;
    public VirtioNetHeader Offload;

    public readonly Span<byte> Bytes => new(Data, Length);
}
