using System.Runtime.CompilerServices;
using VirtioForwarder.Memory;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Virtqueue;

/// <summary>
/// The bytes one received frame becomes in the guest's buffers: a virtio-net header, then the
/// frame (virtio 1.2 §5.1.6.4), poured into as many buffers as it takes. Every byte goes in
/// through <see cref="GuestMemory.Write"/>, which logs dirty pages.
/// </summary>
internal unsafe struct ReceivedPacketWriter
{
    /// <summary>num_buffers: the u16 at offset 10 of struct virtio_net_hdr_mrg_rxbuf (§5.1.6).</summary>
    private const uint NumBuffersOffset = 10;

    private HeaderBytes _header;
    private readonly uint _headerLength;
    private readonly byte* _frame;
    private readonly uint _total;
    private uint _position;
    private ulong _numBuffersLowGpa, _numBuffersHighGpa;

    /// <summary>
    /// The header is the frame's offload state (the relay left only what the guest negotiated)
    /// and num_buffers 1, which the device MUST set when MRG_RXBUF is not negotiated
    /// (§5.1.6.4.1) and which is right for a merged frame that fits one buffer.
    /// </summary>
    public ReceivedPacketWriter(int headerLength, in Frame frame)
    {
        _headerLength = (uint)headerLength;
        _frame = frame.Data;
        _total = _headerLength + (uint)Math.Max(frame.Length, 0);
        var (low, high) = Header(frame.Offload);
        Unsafe.WriteUnaligned(ref _header[0], low);
        Unsafe.WriteUnaligned(ref _header[8], high);
    }

    /// <summary>
    /// struct virtio_net_hdr_mrg_rxbuf for <paramref name="offload"/> as two little-endian values,
    /// bytes 0-7 and 8-11, with num_buffers 1; a 10-byte header is the first ten of them.
    /// </summary>
    public static (ulong Low, uint High) Header(in VirtioNetHeader offload) =>
        (offload.Flags | (ulong)offload.GsoType << 8 | (ulong)offload.HeaderLength << 16 | (ulong)offload.GsoSize << 32 | (ulong)offload.ChecksumStart << 48,
         offload.ChecksumOffset | 1u << 16);

    /// <summary>struct virtio_net_hdr_mrg_rxbuf's 12 bytes.</summary>
    [InlineArray(12)]
    private struct HeaderBytes
    {
        private byte _first;
    }

    /// <summary>Header and frame written out in full.</summary>
    public readonly bool Done => _position == _total;

    /// <summary>Writes as much as fits into <paramref name="segment"/>; returns the byte count (0 once done).</summary>
    public uint Fill(GuestMemory memory, in BufferSegment segment)
    {
        uint written = 0;
        while (written < segment.Length && _position < _total)
        {
            ulong gpa = segment.Gpa + written;
            uint room = segment.Length - written;
            ReadOnlySpan<byte> source = _position < _headerLength
                ? ((ReadOnlySpan<byte>)_header).Slice((int)_position, (int)Math.Min(room, _headerLength - _position))
                : new ReadOnlySpan<byte>(_frame + (_position - _headerLength), (int)Math.Min(room, _total - _position));
            if (_position < _headerLength) NoteNumBuffers(gpa, (uint)source.Length);
            // The chain walker translated and bounds-checked the whole buffer.
            memory.WriteTranslated(segment.Host + written, gpa, source);
            _position += (uint)source.Length;
            written += (uint)source.Length;
        }
        return written;
    }

    /// <summary>
    /// Sets num_buffers once a merged frame is known to span <paramref name="buffers"/> chains
    /// (§5.1.6.4.2). The header may have been split across buffers (ANY_LAYOUT), so each byte is
    /// written where it landed.
    /// </summary>
    public readonly void SetNumBuffers(GuestMemory memory, ushort buffers)
    {
        if (_headerLength < NumBuffersOffset + sizeof(ushort)) return;
        memory.Write(_numBuffersLowGpa, [(byte)buffers]);
        memory.Write(_numBuffersHighGpa, [(byte)(buffers >> 8)]);
    }

    /// <summary>Remembers where the bytes of num_buffers land when header bytes [_position, +count) go to <paramref name="gpa"/>.</summary>
    private void NoteNumBuffers(ulong gpa, uint count)
    {
        if (_position <= NumBuffersOffset && NumBuffersOffset < _position + count)
            _numBuffersLowGpa = gpa + (NumBuffersOffset - _position);
        if (_position <= NumBuffersOffset + 1 && NumBuffersOffset + 1 < _position + count)
            _numBuffersHighGpa = gpa + (NumBuffersOffset + 1 - _position);
    }
}
