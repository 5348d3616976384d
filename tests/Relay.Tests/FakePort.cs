using VirtioForwarder.Platform;
using VirtioForwarder.Ports;

namespace VirtioForwarder.Relay.Tests;

/// <summary>
/// A port that carries nothing: for the relay's bookkeeping, not its data path. Its kernel drops
/// (<see cref="RxMissed"/>) are whatever the test sets; reading them once closed fails, as a closed socket would.
/// </summary>
internal sealed class FakePort(string name, int numaNode = -1) : IPort
{
    private long _rxMissed;

    public string Name => name;
    public int NumaNode => numaNode;
    public bool Disposed { get; private set; }
    public IReadOnlyList<IPort> Queues { get; init; } = [];

    public long RxMissed
    {
        get => Disposed ? throw new ObjectDisposedException(name) : _rxMissed;
        set => _rxMissed = value;
    }

    public bool LinkUp => true;
    public int ReadinessFd => -1;
    public int Receive(Span<Frame> frames) => 0;
    public int AcquireTx(Span<Frame> frames) => 0;
    public int Transmit(Span<Frame> frames, int count) => count;
    public void Dispose() => Disposed = true;
}
