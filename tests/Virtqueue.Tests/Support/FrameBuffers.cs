using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue.Tests.Support;

/// <summary>Native frame buffers, as a port's pool would lend them.</summary>
public sealed unsafe class FrameBuffers : IDisposable
{
    private readonly byte* _memory;

    public FrameBuffers(int count, int capacity)
    {
        _memory = (byte*)NativeMemory.AllocZeroed((nuint)(count * capacity));
        Frames = new Frame[count];
        for (int i = 0; i < count; i++) Frames[i] = new Frame { Data = _memory + i * capacity, Capacity = capacity };
    }

    public Frame[] Frames { get; }

    public byte[] Content(int i) => Frames[i].Bytes.ToArray();

    /// <summary>Fills frame <paramref name="i"/> with <paramref name="data"/>, for sending to the guest.</summary>
    public void Set(int i, byte[] data)
    {
        data.CopyTo(new Span<byte>(Frames[i].Data, Frames[i].Capacity));
        Frames[i].Length = data.Length;
    }

    public void Dispose() => NativeMemory.Free(_memory);
}

public static class Patterns
{
    /// <summary>Distinct, recognisable bytes: a frame of <paramref name="length"/> starting at <paramref name="seed"/>.</summary>
    public static byte[] Frame(int length, int seed = 1)
    {
        var b = new byte[length];
        for (int i = 0; i < length; i++) b[i] = (byte)(seed + i * 7);
        return b;
    }
}
