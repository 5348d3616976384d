using VirtioForwarder.Platform;

namespace VirtioForwarder.Ports.Tests.Support;

/// <summary>The test's side of a port: frames in and out one at a time, with a batch array of its own.</summary>
public sealed unsafe class PortExchange(IPort port)
{
    private readonly Frame[] _frames = new Frame[32];

    /// <summary>Receives, waiting on the port's readiness fd, until a frame matches; null after the timeout.</summary>
    public byte[]? WaitForFrame(Func<byte[], bool> wanted, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var poll = new PollFd { Fd = port.ReadinessFd, Events = Libc.POLLIN };
            Libc.Poll(&poll, 1, 100);
            int n = port.Receive(_frames);
            for (int i = 0; i < n; i++)
            {
                var frame = _frames[i].Bytes.ToArray();
                if (wanted(frame)) return frame;
            }
        }
        return null;
    }

    /// <summary>Sends one frame through the port; returns what Transmit returned.</summary>
    public int Send(byte[] frame)
    {
        Assert.True(port.AcquireTx(_frames.AsSpan(0, 1)) == 1);
        frame.CopyTo(new Span<byte>(_frames[0].Data, _frames[0].Capacity));
        _frames[0].Length = frame.Length;
        return port.Transmit(_frames, 1);
    }
}
