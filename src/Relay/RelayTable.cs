using VirtioForwarder.Device;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;

namespace VirtioForwarder.Relay;

/// <summary>
/// Every relay of the daemon, indexed by virtio id (upstream: 0..63), with the control loop that
/// runs their sockets. Sockets are opened and closed on the loop thread.
/// </summary>
public sealed class RelayTable : IDisposable
{
    private readonly Relay[] _relays;
    private readonly EventLoop _loop;
    private readonly DeviceOptions _deviceOptions;

    public RelayTable(int count, EventLoop loop, DeviceOptions deviceOptions, CpuPlacement placement,
        IReadOnlyDictionary<int, CpuPair> pins, PollMode mode)
    {
        _loop = loop;
        _deviceOptions = deviceOptions;
        _relays = new Relay[count];
        for (int i = 0; i < count; i++) _relays[i] = new Relay(i, placement, pins.GetValueOrDefault(i), mode);
    }

    public int Count => _relays.Length;

    public Relay this[int id] => _relays[id];

    /// <summary>Gives relay <paramref name="id"/> a vhost-user socket and listens or connects. Throws if a server socket cannot be made.</summary>
    public void OpenSocket(int id, string path, SocketMode mode, SocketOwnership ownership)
    {
        _loop.Invoke(() =>
        {
            var socket = new VhostUserSocket(path, mode, _loop, _deviceOptions, ownership);
            _relays[id].AttachSocket(socket);
            socket.Open();
        });
    }

    /// <summary>Opens the port <paramref name="spec"/> names and attaches it to relay <paramref name="id"/>.</summary>
    public void AttachPort(int id, PortSpec spec) => _relays[id].AttachPort(PortFactory.Open(spec));

    public IReadOnlyList<RelaySnapshot> Snapshot() => _relays.Select(r => r.Snapshot()).ToArray();

    public void Dispose()
    {
        _loop.Invoke(() =>
        {
            foreach (var r in _relays) r.DetachSocket();
        });
        foreach (var r in _relays) r.Dispose();
    }
}
