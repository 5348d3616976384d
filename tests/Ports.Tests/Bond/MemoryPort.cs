using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Tests.Bond;

/// <summary>
/// An in-memory member for bond tests: frames injected (or sent by its <see cref="Peer"/>, as over
/// a cable) are received, with their offload state; frames transmitted are kept in <see cref="Sent"/>
/// (their offload state in <see cref="SentOffloads"/>) and passed to the peer. <see cref="Up"/>
/// plays the link. <see cref="WithQueues"/> makes one with several queues, as a multi-queue NIC's port.
/// </summary>
public sealed unsafe class MemoryPort : IPort
{
    private const int Buffers = 64;
    private readonly ConcurrentQueue<(byte[] Bytes, VirtioNetHeader Offload)> _incoming = new();
    private readonly ConcurrentQueue<byte[]> _sent = new();
    private readonly ConcurrentQueue<VirtioNetHeader> _sentOffloads = new();
    private readonly int _capacity;
    private readonly byte* _rx, _tx;
    private IPort[] _queues = [];

    public MemoryPort(string name, int capacity = PortFactory.DefaultFrameCapacity)
    {
        Name = name;
        _capacity = capacity;
        _rx = (byte*)NativeMemory.Alloc((nuint)(Buffers * capacity));
        _tx = (byte*)NativeMemory.Alloc((nuint)(Buffers * capacity));
    }

    /// <summary>A port of <paramref name="count"/> queues: this one (queue 0) and ports of their own, which it closes.</summary>
    public static MemoryPort WithQueues(string name, int count, bool carriesOffloads = false, int capacity = PortFactory.DefaultFrameCapacity)
    {
        var port = new MemoryPort(name, capacity) { CarriesOffloads = carriesOffloads };
        if (count > 1)
            port._queues = [port, .. Enumerable.Range(1, count - 1).Select(q => new MemoryPort($"{name} queue {q}", capacity) { CarriesOffloads = carriesOffloads })];
        return port;
    }

    public string Name { get; }
    public MemoryPort? Peer { get; set; }
    public volatile bool Up = true;
    public bool Disposed { get; private set; }

    public int NumaNode { get; init; } = -1;
    public bool CarriesOffloads { get; init; }

    /// <summary>Plays the kernel's receive-ring drops (<see cref="IPort.RxMissed"/>).</summary>
    public long Missed;
    public long RxMissed => Missed;
    public bool LinkUp => Up;
    public int ReadinessFd => -1;
    public IReadOnlyList<IPort> Queues => _queues;

    /// <summary>Queue <paramref name="index"/> (this port for 0).</summary>
    public MemoryPort Queue(int index) => index == 0 ? this : (MemoryPort)_queues[index];

    public IReadOnlyCollection<byte[]> Sent => _sent;
    public IReadOnlyCollection<VirtioNetHeader> SentOffloads => _sentOffloads;

    public static void Connect(MemoryPort a, MemoryPort b)
    {
        a.Peer = b;
        b.Peer = a;
    }

    public void Inject(byte[] frame, VirtioNetHeader offload = default) => _incoming.Enqueue((frame, offload));

    public int Receive(Span<Frame> frames)
    {
        int n = 0;
        while (n < frames.Length && n < Buffers && _incoming.TryDequeue(out var incoming))
        {
            byte* data = _rx + n * _capacity;
            incoming.Bytes.CopyTo(new Span<byte>(data, _capacity));
            frames[n++] = new Frame { Data = data, Length = incoming.Bytes.Length, Capacity = _capacity, Offload = incoming.Offload };
        }
        return n;
    }

    public int AcquireTx(Span<Frame> frames)
    {
        int n = Math.Min(frames.Length, Buffers);
        for (int i = 0; i < n; i++) frames[i] = new Frame { Data = _tx + i * _capacity, Length = 0, Capacity = _capacity };
        return n;
    }

    public int Transmit(Span<Frame> frames, int count)
    {
        if (!Up) return 0;
        foreach (var frame in frames[..count])
        {
            var bytes = frame.Bytes.ToArray();
            _sent.Enqueue(bytes);
            _sentOffloads.Enqueue(frame.Offload);
            Peer?.Inject(bytes, frame.Offload);
        }
        return count;
    }

    public void Dispose()
    {
        if (Disposed) return;
        Disposed = true;
        NativeMemory.Free(_rx);
        NativeMemory.Free(_tx);
        foreach (var queue in _queues)
            if (queue != this) queue.Dispose();
    }
}
