using VirtioForwarder.Control.Model;
using VirtioForwarder.Device;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;
using VirtioForwarder.Ports.Bond;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Daemon;

/// <summary>
/// The daemon's side of the control seam: what the control services may do to relays, over the
/// relay table. Calls from several service threads are serialised by one lock; each change
/// touches only the relay it names, so the other relays keep forwarding. A relay id must be below
/// <see cref="RelayCount"/> (the services check ids and answer with upstream's codes).
/// </summary>
public sealed class RelayControl(RelayTable table, IReadOnlyList<RelayPin> startupPins, SocketMode socketMode, SocketOwnership ownership)
    : IRelayControl
{
    private readonly Lock _gate = new();
    // Each attached bond's members by relay, so IsDeviceInUse sees them (written under _gate).
    private readonly System.Collections.Concurrent.ConcurrentDictionary<int, string[]> _bondMembers = new();

    public int RelayCount => table.Count;

    public IReadOnlyList<int> WorkerCpus => table.Placement.WorkerCpus;

    public IReadOnlyList<RelayPin> StartupPins => startupPins;

    public bool ClientMode => socketMode == SocketMode.Client;

    /// <summary>Who owns the socket files this daemon creates (server mode).</summary>
    public SocketOwnership SocketOwnership => ownership;

    /// <summary>How ports are opened: the driver of PCI and netdev ports, where sysfs is.</summary>
    public PortOpenOptions PortOptions { get; init; } = new();

    public RelayStatus Status(int relay)
    {
        var s = table[relay].Snapshot();
        return new RelayStatus(s.Id, s.SocketPath, s.Device, ToContract(s.VmState), ToContract(s.PortState),
            s.VfToVmCpu, s.VmToVfCpu, s.NumaNode, s.VfToVm, s.VmToVf);
    }

    public AttachResult AttachDevice(int relay, DeviceRequest device)
    {
        ArgumentNullException.ThrowIfNull(device);
        lock (_gate)
        {
            var target = table[relay];
            if (target.PortState != PortState.Uninit) return AttachResult.Occupied;
            if (device.IsBond) return AttachBond(relay, device);
            var (port, result) = Open(relay, device.Key, PortOptions);
            if (port is null) return result;
            if (!target.AttachPort(port, device.Key))
            {
                port.Dispose();
                return AttachResult.Occupied;
            }
            return AttachResult.Ok;
        }
    }

    /// <summary>
    /// A bond (DPDK mode 0–6): its members must be distinct, free and openable; they are opened
    /// like single devices (with all their queues) and joined in a <see cref="BondPort"/> that the
    /// relay holds as its port, with as many queues as its members.
    /// </summary>
    private AttachResult AttachBond(int relay, DeviceRequest device)
    {
        if (BondOptions.ModeFromNumber(device.BondMode) is not { } mode)
        {
            Log.Error($"relay {relay}: cannot attach bond {device.Key}: mode {device.BondMode} is not a bonding mode (0-6)");
            return AttachResult.ConfigureFailed;
        }
        if (device.Members.Distinct(StringComparer.Ordinal).Count() != device.Members.Count || device.Members.Any(IsDeviceInUse))
        {
            Log.Error($"relay {relay}: cannot attach bond {device.Key}: a member is already in use");
            return AttachResult.MemberInUse;
        }
        var members = new List<IPort>();
        foreach (string member in device.Members)
        {
            var (port, result) = Open(relay, member, PortOptions);
            if (port is null)
            {
                foreach (var opened in members) opened.Dispose();
                return result == AttachResult.NotFound ? AttachResult.NotFound : AttachResult.MemberFailed;
            }
            members.Add(port);
        }
        var bond = new BondPort(device.Key, members, new BondOptions(mode), PortOptions.FrameCapacity);
        if (!table[relay].AttachPort(bond, device.Key))
        {
            bond.Dispose();
            return AttachResult.Occupied;
        }
        _bondMembers[relay] = [.. device.Members];
        return AttachResult.Ok;
    }

    /// <summary>A spec that does not parse, or names no such device, is NotFound; one the kernel will not open is ConfigureFailed.</summary>
    private static (IPort? Port, AttachResult Result) Open(int relay, string key, PortOpenOptions options)
    {
        try
        {
            return (PortFactory.Open(PortSpec.Parse(key), options), AttachResult.Ok);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or FileNotFoundException)
        {
            Log.Error($"relay {relay}: cannot attach port {key}: {e.Message}");
            return (null, AttachResult.NotFound);
        }
        catch (Exception e) when (e is SystemCallException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Log.Error($"relay {relay}: cannot attach port {key}: {e.Message}");
            return (null, AttachResult.ConfigureFailed);
        }
    }

    public DetachResult DetachDevice(int relay)
    {
        lock (_gate)
        {
            var target = table[relay];
            if (target.PortState == PortState.Uninit) return DetachResult.NotAttached;
            if (!target.DetachPort()) return DetachResult.Timeout;
            _bondMembers.TryRemove(relay, out _);
            return DetachResult.Ok;
        }
    }

    public bool IsDeviceInUse(string key)
    {
        for (int i = 0; i < table.Count; i++)
            if (string.Equals(table[i].DeviceKey, key, StringComparison.Ordinal)) return true;
        foreach (var members in _bondMembers.Values)
            if (members.Contains(key, StringComparer.Ordinal)) return true;
        return false;
    }

    public SocketResult OpenSocket(int relay, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_gate)
        {
            if (table[relay].SocketPath is not null || IsSocketInUse(path)) return SocketResult.Conflict;
            try
            {
                table.OpenSocket(relay, path, socketMode, ownership);
                return SocketResult.Ok;
            }
            catch (InvalidOperationException e)
            {
                Log.Error($"relay {relay}: cannot create socket {path}: {e.Message}");
                return SocketResult.Failed;
            }
        }
    }

    public SocketResult CloseSocket(int relay)
    {
        lock (_gate)
        {
            if (table[relay].SocketPath is null) return SocketResult.Conflict;
            try
            {
                table.CloseSocket(relay);
                return SocketResult.Ok;
            }
            catch (InvalidOperationException e)
            {
                Log.Error($"relay {relay}: cannot close its socket: {e.Message}");
                return SocketResult.Failed;
            }
        }
    }

    public bool MoveDirection(int relay, RelayDirection direction, int cpu)
    {
        lock (_gate)
            return table[relay].MoveDirection(direction == RelayDirection.VfToVm ? Direction.VfToVm : Direction.VmToVf, cpu);
    }

    private bool IsSocketInUse(string path)
    {
        for (int i = 0; i < table.Count; i++)
            if (string.Equals(table[i].SocketPath, path, StringComparison.Ordinal)) return true;
        return false;
    }

    private static VmSideState ToContract(VmState s) => s switch
    {
        VmState.Ready => VmSideState.VIRTIO_READY,
        VmState.Removing1 => VmSideState.VIRTIO_REMOVING1,
        VmState.Removing2 => VmSideState.VIRTIO_REMOVING2,
        _ => VmSideState.VIRTIO_UNINIT,
    };

    private static VfSideState ToContract(PortState s) => s switch
    {
        PortState.Added => VfSideState.DPDK_ADDED,
        PortState.Ready => VfSideState.DPDK_READY,
        PortState.Removing1 => VfSideState.DPDK_REMOVING1,
        PortState.Removing2 => VfSideState.DPDK_REMOVING2,
        _ => VfSideState.DPDK_UNINIT,
    };
}
