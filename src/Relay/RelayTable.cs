using VirtioForwarder.Device;
using VirtioForwarder.Platform;

namespace VirtioForwarder.Relay;

/// <summary>
/// Every relay of the daemon, indexed by virtio id (upstream: 0..63), the workers they share (one
/// per worker CPU), and the control loop that runs their sockets. Sockets are opened and closed on
/// the loop thread.
/// </summary>
public sealed class RelayTable : IDisposable
{
    /// <summary>How often the ports' kernel receive drops are collected when no one reads the stats (<see cref="PortRxMissed"/>).</summary>
    private static readonly TimeSpan PortDropsInterval = TimeSpan.FromSeconds(1);

    private readonly Relay[] _relays;
    private readonly EventLoop _loop;
    private readonly DeviceOptions _deviceOptions;
    private readonly WorkerPool _workers;
    private volatile bool _disposed;

    public RelayTable(int count, EventLoop loop, DeviceOptions deviceOptions, CpuPlacement placement,
        IReadOnlyDictionary<int, CpuPair> pins, PollMode mode)
    {
        _loop = loop;
        _deviceOptions = deviceOptions;
        _workers = new WorkerPool(placement.WorkerCpus, mode);
        Placement = placement;
        var shared = new RelayShared(placement, _workers, deviceOptions.MaxQueuePairs);
        _relays = new Relay[count];
        for (int i = 0; i < count; i++) _relays[i] = new Relay(i, shared, pins.GetValueOrDefault(i));
        _loop.After(PortDropsInterval, CollectPortDrops);
    }

    public int Count => _relays.Length;

    public Relay this[int id] => _relays[id];

    public CpuPlacement Placement { get; }

    /// <summary>The worker threads started so far: at most one per worker CPU.</summary>
    public IReadOnlyList<Worker> Workers => _workers.Started;

    /// <summary>
    /// Gives relay <paramref name="id"/> a vhost-user socket and listens or connects. Throws if a
    /// server socket cannot be made; the relay is then left without a socket.
    /// </summary>
    public void OpenSocket(int id, string path, SocketMode mode, SocketOwnership ownership)
    {
        _loop.Invoke(() =>
        {
            var relay = _relays[id];
            var socket = new VhostUserSocket(path, mode, _loop, _deviceOptions, ownership);
            relay.AttachSocket(socket);
            try { socket.Open(); }
            catch
            {
                relay.DetachSocket();
                throw;
            }
        });
    }

    /// <summary>Disconnects relay <paramref name="id"/>'s VM and closes its socket (deleting the file if this daemon created it).</summary>
    public void CloseSocket(int id) => _loop.Invoke(() => _relays[id].DetachSocket());

    public IReadOnlyList<RelaySnapshot> Snapshot() => _relays.Select(r => r.Snapshot()).ToArray();

    /// <summary>Runs on the control loop every <see cref="PortDropsInterval"/> until the table is disposed.</summary>
    private void CollectPortDrops()
    {
        if (_disposed) return;
        foreach (var r in _relays) r.CollectPortDrops();
        _loop.After(PortDropsInterval, CollectPortDrops);
    }

    public void Dispose()
    {
        _disposed = true;
        _loop.Invoke(() =>
        {
            foreach (var r in _relays) r.DetachSocket();
        });
        foreach (var r in _relays) r.Dispose();
        _workers.Dispose();
    }
}
