using VirtioForwarder.Control.Model;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Control.Tests.LegacyPorts;

/// <summary>Relays that only remember which device each holds, and every call made.</summary>
internal sealed class FakeRelays(int count = 8) : IRelayControl
{
    private readonly string?[] _devices = new string?[count];

    public List<string> Calls { get; } = [];

    /// <summary>Makes AttachDevice throw, as a broken implementation might.</summary>
    public bool Broken { get; set; }

    public string? DeviceOf(int relay) => _devices[relay];

    public int RelayCount => count;
    public IReadOnlyList<int> WorkerCpus => [1];
    public IReadOnlyList<RelayPin> StartupPins => [];
    public bool ClientMode => false;

    public RelayStatus Status(int relay) => new(relay, null, _devices[relay],
        VmSideState.VIRTIO_UNINIT, _devices[relay] is null ? VfSideState.DPDK_UNINIT : VfSideState.DPDK_ADDED,
        null, null, -1, default, default);

    public AttachResult AttachDevice(int relay, DeviceRequest device)
    {
        Calls.Add($"attach {relay} {device.Key}");
        if (Broken) throw new InvalidOperationException("broken");
        if (_devices[relay] is not null) return AttachResult.Occupied;
        _devices[relay] = device.Key;
        return AttachResult.Ok;
    }

    public DetachResult DetachDevice(int relay)
    {
        Calls.Add($"detach {relay}");
        if (_devices[relay] is null) return DetachResult.NotAttached;
        _devices[relay] = null;
        return DetachResult.Ok;
    }

    public bool IsDeviceInUse(string key) => _devices.Contains(key);
    public SocketResult OpenSocket(int relay, string path) => SocketResult.Failed;
    public SocketResult CloseSocket(int relay) => SocketResult.Failed;
    public bool MoveDirection(int relay, RelayDirection direction, int cpu) => false;
}
