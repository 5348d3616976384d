using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports;

/// <summary>
/// A port's own packet buffers, like a NIC's DMA ring: one native block cut into equal buffers
/// that never move, so frames point into them without pinning. Ports lend the whole set for each
/// batch (IPort's contract returns every buffer before the next batch), so no free list is kept.
/// </summary>
internal sealed unsafe class FrameBuffers : IDisposable
{
    public const int DefaultCount = 64;

    // A cache line: no two buffers share one, and copies into a buffer start aligned.
    private const int Alignment = 64;

    private readonly int _count;
    private readonly int _capacity;
    private readonly nuint _stride;
    private byte* _block;

    public FrameBuffers(int capacity, int count = DefaultCount)
    {
        _count = count;
        _capacity = capacity;
        _stride = ((nuint)capacity + Alignment - 1) & ~(nuint)(Alignment - 1);
        _block = (byte*)NativeMemory.AlignedAlloc(_stride * (nuint)count, Alignment);
    }

    /// <summary>Points up to <c>frames.Length</c> frames at empty buffers (Length 0); returns how many.</summary>
    public int Lend(Span<Frame> frames)
    {
        int n = Math.Min(frames.Length, _count);
        for (int i = 0; i < n; i++)
            frames[i] = new Frame { Data = _block + (nuint)i * _stride, Length = 0, Capacity = _capacity };
        return n;
    }

    public void Dispose()
    {
        NativeMemory.AlignedFree(_block);
        _block = null;
    }
}
