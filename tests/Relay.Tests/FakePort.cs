using VirtioForwarder.Platform;
using VirtioForwarder.Ports;

namespace VirtioForwarder.Relay.Tests;

/// <summary>A port that carries nothing: for the relay's bookkeeping, not its data path.</summary>
internal sealed class FakePort(string name, int numaNode = -1) : IPort
{
    public string Name => name;
    public int NumaNode => numaNode;
    public bool Disposed { get; private set; }
    public bool LinkUp => true;
    public int ReadinessFd => -1;
    public int Receive(Span<Frame> frames) => 0;
    public int AcquireTx(Span<Frame> frames) => 0;
    public int Transmit(Span<Frame> frames, int count) => count;
    public void Dispose() => Disposed = true;
}
