using System.Buffers.Binary;
using System.Runtime.InteropServices;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using static VirtioForwarder.Device.VirtioNetFeatures;

namespace VirtioForwarder.Relay.Tests;

/// <summary>
/// The relay's software fallback: what a guest did not negotiate to take is resolved before it
/// gets it, and a port that carries no offloads gets plain frames no longer than its buffers.
/// </summary>
public sealed unsafe class OffloadFallbackTests : IDisposable
{
    private const int Payload = 3000, Mss = 1000, Headers = 14 + 20 + 20;
    private readonly List<nint> _memory = [];

    /// <summary>A TCP/IPv4 frame of <paramref name="payload"/> bytes as a sender with offloads leaves it.</summary>
    private Frame TcpFrame(int payload, byte gsoType, int gsoSize)
    {
        int length = Headers + payload;
        byte* data = (byte*)NativeMemory.AllocZeroed((nuint)length);
        _memory.Add((nint)data);
        var bytes = new Span<byte>(data, length);
        BinaryPrimitives.WriteUInt16BigEndian(bytes[12..], 0x0800);
        bytes[14] = 0x45;
        BinaryPrimitives.WriteUInt16BigEndian(bytes[16..], (ushort)(length - 14));
        bytes[23] = 6;
        bytes[46] = 0x50;
        bytes[47] = 0x18;
        for (int i = 0; i < payload; i++) bytes[Headers + i] = (byte)i;
        return new Frame
        {
            Data = data, Length = length, Capacity = length,
            Offload = new VirtioNetHeader
            {
                Flags = VirtioNetHeader.NeedsChecksum, GsoType = gsoType, GsoSize = (ushort)gsoSize,
                ChecksumStart = 34, ChecksumOffset = 16, HeaderLength = Headers,
            },
        };
    }

    private Frame[] Batch() =>
    [
        TcpFrame(100, VirtioNetHeader.GsoNone, 0) with { Offload = default },
        TcpFrame(Payload, VirtioNetHeader.GsoTcpV4, Mss),
        TcpFrame(200, VirtioNetHeader.GsoNone, 0),
    ];

    [Fact]
    public void A_guest_that_takes_everything_gets_the_batch_as_it_is()
    {
        var frames = Batch();
        var resolved = new OffloadFallback().ForGuest(frames, new GuestOffloads(Bit(GuestCsum) | Bit(GuestTso4)));

        Assert.Equal(frames.Length, resolved.Length);
        Assert.Equal(frames, resolved.ToArray());
    }

    [Fact]
    public void A_guest_without_tso_gets_segments_and_keeps_the_checksum_it_takes()
    {
        var fallback = new OffloadFallback();
        var resolved = fallback.ForGuest(Batch(), new GuestOffloads(Bit(GuestCsum))).ToArray();

        Assert.Equal(1 + Payload / Mss + 1, resolved.Length);
        Assert.All(resolved[1..4], segment => Assert.Equal(Headers + Mss, segment.Length));
        Assert.All(resolved[..4], frame => Assert.True(frame.Offload.IsPlain));
        Assert.Equal(VirtioNetHeader.NeedsChecksum, resolved[4].Offload.Flags);
        Assert.Equal(0, fallback.Unresolvable + fallback.NoRoom);
    }

    [Fact]
    public void A_guest_without_offloads_gets_only_plain_frames()
    {
        var resolved = new OffloadFallback().ForGuest(Batch(), new GuestOffloads(0)).ToArray();

        Assert.Equal(5, resolved.Length);
        Assert.All(resolved, frame => Assert.True(frame.Offload.IsPlain));
        // The partial checksum was completed: the field no longer holds the zero it was given.
        Assert.NotEqual(0, BinaryPrimitives.ReadUInt16BigEndian(resolved[4].Bytes[50..]));
    }

    [Fact]
    public void A_port_without_offloads_gets_segments_that_fit_its_buffers_over_as_many_batches_as_it_takes()
    {
        using var port = new BufferPort(capacity: 1514, buffers: 2);
        var staged = new StagedTransmit();
        var frames = staged.Lend();
        var source = TcpFrame(Payload, VirtioNetHeader.GsoTcpV4, Mss);
        Buffer.MemoryCopy(source.Data, frames[0].Data, source.Length, source.Length);
        frames[0].Length = source.Length;
        frames[0].Offload = source.Offload;

        staged.Send(port, frames[..1]);

        Assert.Equal(3, staged.Sent);
        Assert.Equal(3L * (Headers + Mss), staged.SentBytes);
        Assert.Equal(0, staged.Oversize + staged.NoRoom);
        Assert.Equal(Enumerable.Repeat(Headers + Mss, 3), port.Sent);
    }

    public void Dispose()
    {
        foreach (var block in _memory) NativeMemory.Free((void*)block);
    }

    /// <summary>A port lending a few buffers per batch and recording the length of each frame sent.</summary>
    private sealed class BufferPort(int capacity, int buffers) : IPort
    {
        private readonly byte* _block = (byte*)NativeMemory.Alloc((nuint)(capacity * buffers));

        public List<int> Sent { get; } = [];
        public string Name => "buffers";
        public bool LinkUp => true;
        public int ReadinessFd => -1;
        public int Receive(Span<Frame> frames) => 0;

        public int AcquireTx(Span<Frame> frames)
        {
            int n = Math.Min(buffers, frames.Length);
            for (int i = 0; i < n; i++) frames[i] = new Frame { Data = _block + i * capacity, Capacity = capacity };
            return n;
        }

        public int Transmit(Span<Frame> frames, int count)
        {
            for (int i = 0; i < count; i++) Sent.Add(frames[i].Length);
            return count;
        }

        public void Dispose() => NativeMemory.Free(_block);
    }
}
