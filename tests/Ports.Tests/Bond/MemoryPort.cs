using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>
/// An in-memory member for bond tests: frames injected (or sent by its <see cref="Peer"/>, as over
/// a cable) are received; frames transmitted are kept in <see cref="Sent"/> and passed to the peer.
/// <see cref="Up"/> plays the link.
/// </summary>
public sealed unsafe class MemoryPort : IPort
{
    private const int Buffers = 64, Capacity = 2304;
    private readonly ConcurrentQueue<byte[]> _incoming = new();
    private readonly ConcurrentQueue<byte[]> _sent = new();
    private readonly byte* _rx = (byte*)NativeMemory.Alloc(Buffers * Capacity);
    private readonly byte* _tx = (byte*)NativeMemory.Alloc(Buffers * Capacity);

    public MemoryPort(string name) => Name = name;

    public string Name { get; }
    public MemoryPort? Peer { get; set; }
    public volatile bool Up = true;
    public bool Disposed { get; private set; }

    public int NumaNode { get; init; } = -1;
    public bool LinkUp => Up;
    public int ReadinessFd => -1;

    public IReadOnlyCollection<byte[]> Sent => _sent;

    public static void Connect(MemoryPort a, MemoryPort b)
    {
        a.Peer = b;
        b.Peer = a;
    }

    public void Inject(byte[] frame) => _incoming.Enqueue(frame);

    public int Receive(Span<Frame> frames)
    {
        int n = 0;
        while (n < frames.Length && n < Buffers && _incoming.TryDequeue(out var bytes))
        {
            byte* data = _rx + n * Capacity;
            bytes.CopyTo(new Span<byte>(data, Capacity));
            frames[n++] = new Frame { Data = data, Length = bytes.Length, Capacity = Capacity };
        }
        return n;
    }

    public int AcquireTx(Span<Frame> frames)
    {
        int n = Math.Min(frames.Length, Buffers);
        for (int i = 0; i < n; i++) frames[i] = new Frame { Data = _tx + i * Capacity, Length = 0, Capacity = Capacity };
        return n;
    }

    public int Transmit(Span<Frame> frames, int count)
    {
        if (!Up) return 0;
        foreach (var frame in frames[..count])
        {
            var bytes = frame.Bytes.ToArray();
            _sent.Enqueue(bytes);
            Peer?.Inject(bytes);
        }
        return count;
    }

    public void Dispose()
    {
        if (Disposed) return;
        Disposed = true;
        NativeMemory.Free(_rx);
        NativeMemory.Free(_tx);
    }
}
