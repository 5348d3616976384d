using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Tests;

public unsafe class NullPortSinkTests
{
    private static NullPort OpenSink(int frameCapacity = PortFactory.DefaultFrameCapacity) =>
        (NullPort)PortFactory.Open(PortSpec.Parse("null"), frameCapacity);

    [Fact]
    public void LendsWritableAlignedBuffersOfTheFrameCapacity()
    {
        using var port = OpenSink(1000);
        var frames = new Frame[32];
        Assert.Equal(32, port.AcquireTx(frames));
        var starts = new HashSet<nint>();
        foreach (var frame in frames)
        {
            Assert.Equal(0, frame.Length);
            Assert.Equal(1000, frame.Capacity);
            Assert.Equal(0, (nint)frame.Data % 64);
            new Span<byte>(frame.Data, frame.Capacity).Fill(0xA5);
            starts.Add((nint)frame.Data);
        }
        Assert.Equal(32, starts.Count);
        // Filling each whole buffer left its neighbours intact: they do not overlap.
        foreach (var frame in frames)
            Assert.False(new Span<byte>(frame.Data, frame.Capacity).ContainsAnyExcept((byte)0xA5));
    }

    [Fact]
    public void LendsAtMostItsPool()
    {
        using var port = OpenSink();
        Assert.Equal(64, port.AcquireTx(new Frame[200]));
        Assert.Equal(3, port.AcquireTx(new Frame[3]));
    }

    [Fact]
    public void CountsAndDiscardsWhatItTransmits()
    {
        using var port = OpenSink();
        var frames = new Frame[8];
        int lent = port.AcquireTx(frames);
        for (int i = 0; i < lent; i++) frames[i].Length = 60 + i;
        Assert.Equal(5, port.Transmit(frames, 5));
        Assert.Equal(0, port.Transmit(frames, 0));
        Assert.Equal(5, port.TxPackets);
        Assert.Equal(60 + 61 + 62 + 63 + 64, port.TxBytes);
    }

    [Fact]
    public void IsAlwaysUpHasNothingToReceiveAndNoFd()
    {
        using var port = OpenSink();
        Assert.True(port.LinkUp);
        Assert.Equal(-1, port.ReadinessFd);
        Assert.Equal(0, port.SourceFrameSize);
        Assert.Equal(0, port.Receive(new Frame[32]));
        Assert.Equal("null", port.Name);
    }

    [Fact]
    public void AllocatesNothingPerBatch()
    {
        using var port = OpenSink();
        var frames = new Frame[32];
        port.Transmit(frames, port.AcquireTx(frames));
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            int lent = port.AcquireTx(frames);
            port.Receive(frames);
            port.Transmit(frames, lent);
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
