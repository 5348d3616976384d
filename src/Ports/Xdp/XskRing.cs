using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Xdp;

/// <summary>
/// One of the four rings an AF_XDP socket shares with the kernel (kernel doc networking/af_xdp,
/// "Rings"): a power-of-two array of entries with a producer and a consumer index that run
/// freely and wrap at 2^32, each written by one side only. The writer of an index publishes it
/// with a release store after touching the entries, and the other side's index is read with an
/// acquire load, so neither side sees a half-written entry. Each side keeps a cached copy of the
/// other's index and re-reads it only when the cached one says there is not enough.
/// </summary>
internal abstract unsafe class XskRing : IDisposable
{
    private readonly void* _mapping;
    private readonly nuint _mappingLength;
    private readonly uint* _flags;
    protected readonly uint* Producer, Consumer;
    protected readonly byte* Entries;
    protected readonly uint Mask;

    protected XskRing(int fd, in XskInterop.RingOffset offsets, long pageOffset, uint size, int entrySize, string name)
    {
        _mappingLength = (nuint)(offsets.Descriptors + size * (ulong)entrySize);
        _mapping = Libc.Mmap(null, _mappingLength, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED | Libc.MAP_POPULATE, fd, pageOffset);
        if (_mapping == Libc.MAP_FAILED) throw new SystemCallException($"mmap of the AF_XDP {name} ring", Errno.Last);
        var bytes = (byte*)_mapping;
        Producer = (uint*)(bytes + offsets.Producer);
        Consumer = (uint*)(bytes + offsets.Consumer);
        _flags = (uint*)(bytes + offsets.Flags);
        Entries = bytes + offsets.Descriptors;
        Size = size;
        Mask = size - 1;
    }

    public uint Size { get; }

    /// <summary>The kernel asks to be woken (sendto, recvfrom or poll) before it looks at this ring again (XDP_USE_NEED_WAKEUP).</summary>
    public bool NeedsWakeup => (Volatile.Read(ref *_flags) & XskInterop.XDP_RING_NEED_WAKEUP) != 0;

    public void Dispose() => Libc.Munmap(_mapping, _mappingLength);
}

/// <summary>A ring this process fills and the kernel drains: fill (frame offsets) and TX (descriptors).</summary>
internal sealed unsafe class XskProducerRing(int fd, in XskInterop.RingOffset offsets, long pageOffset, uint size, int entrySize, string name)
    : XskRing(fd, offsets, pageOffset, size, entrySize, name)
{
    private uint _producer, _cachedConsumer;

    /// <summary>Claims up to <paramref name="wanted"/> free entries starting at <paramref name="first"/>; returns how many.</summary>
    public uint Reserve(uint wanted, out uint first)
    {
        first = _producer;
        uint free = Size - (_producer - _cachedConsumer);
        if (free < wanted)
        {
            _cachedConsumer = Volatile.Read(ref *Consumer);
            free = Size - (_producer - _cachedConsumer);
        }
        return Math.Min(free, wanted);
    }

    /// <summary>Hands the first <paramref name="count"/> reserved entries, now written, to the kernel.</summary>
    public void Submit(uint count)
    {
        _producer += count;
        Volatile.Write(ref *Producer, _producer);
    }

    public ref ulong Address(uint index) => ref ((ulong*)Entries)[index & Mask];

    public ref XskInterop.Descriptor Descriptor(uint index) => ref ((XskInterop.Descriptor*)Entries)[index & Mask];
}

/// <summary>A ring the kernel fills and this process drains: RX (descriptors) and completion (frame offsets).</summary>
internal sealed unsafe class XskConsumerRing(int fd, in XskInterop.RingOffset offsets, long pageOffset, uint size, int entrySize, string name)
    : XskRing(fd, offsets, pageOffset, size, entrySize, name)
{
    private uint _consumer, _cachedProducer;

    /// <summary>Finds up to <paramref name="wanted"/> filled entries starting at <paramref name="first"/>; returns how many.</summary>
    public uint Peek(uint wanted, out uint first)
    {
        first = _consumer;
        uint available = _cachedProducer - _consumer;
        if (available < wanted)
        {
            _cachedProducer = Volatile.Read(ref *Producer);
            available = _cachedProducer - _consumer;
        }
        return Math.Min(available, wanted);
    }

    /// <summary>Gives the first <paramref name="count"/> peeked entries back to the kernel once read.</summary>
    public void Release(uint count)
    {
        _consumer += count;
        Volatile.Write(ref *Consumer, _consumer);
    }

    public ulong Address(uint index) => ((ulong*)Entries)[index & Mask];

    public ref readonly XskInterop.Descriptor Descriptor(uint index) => ref ((XskInterop.Descriptor*)Entries)[index & Mask];
}
