using VirtioForwarder.Control.Model;

namespace VirtioForwarder.Control.Services.PortControl;

/// <summary>
/// Upstream's dynamic-socket routines (docs/control-contract.md §3.2, rows ADD_SOCK, REMOVE_SOCK
/// and QUERY_PCI): virtio_add_sock_dev_pair, virtio_remove_sock_dev_pair and virtio_query_pci.
/// Socket paths always match exactly.
/// </summary>
internal sealed class SocketPairs(RelayDevices devices)
{
    public const string AddSource = "virtio_add_sock_dev_pair()";
    public const string RemoveSource = "virtio_remove_sock_dev_pair()";
    public const string QuerySource = "virtio_query_pci()";

    private const int EEXIST = 17;

    private IRelayControl Relays => devices.Relays;

    /// <summary>
    /// Puts the device (one address) or bond (a name) on the lowest idle relay, then opens
    /// <paramref name="path"/> as its socket. The relay id is not returned (§3.2).
    /// </summary>
    public int Add(string? path, IReadOnlyList<string> addresses, string? name, uint mode, bool conditional)
    {
        if (path is null) return -1;
        string device = addresses.Count == 1 ? addresses[0] : name is null ? "" : DeviceKey.OfBond(name);
        if (device.Length > 0 && Relays.IsDeviceInUse(device)) return -EEXIST;
        if (FindBySocket(path) is not null) return 1;
        if (FindIdle() is not int relay) return 2;
        if (addresses.Count == 1)
        {
            if (devices.Add(device, relay, conditional) != 0) return 3;
        }
        else if (name is null || devices.AddBond(name, addresses, mode, relay) != 0)
        {
            return 4;
        }
        if (Relays.OpenSocket(relay, path) == SocketResult.Ok) return 0;
        // Upstream removes the bond by its full name, which misses the stored 19-character key;
        // ours removes what it stored.
        devices.Remove(device, relay, conditional);
        return 5;
    }

    /// <summary>
    /// Finds the relay by path, or without one by its device; disconnects the VM, closes the socket,
    /// then removes the device. That order gives 4 for a relay without a device and an
    /// unconditional request, after the socket is already gone (§3.2).
    /// </summary>
    public int Remove(string? path, string device, bool conditional)
    {
        if (path is null && device.Length == 0) return -1;
        if ((path is not null ? FindBySocket(path) : FindByDevice(device)) is not int relay) return 1;
        string? stored = Relays.Status(relay).Device;
        if (device.Length == 0) device = stored ?? "";
        else if (!DeviceKey.Same(stored, device)) return 2;
        if (Relays.CloseSocket(relay) != SocketResult.Ok) return 3;
        return devices.Remove(device, relay, conditional) == 0 ? 0 : 4;
    }

    /// <summary>The device string of the relay at <paramref name="path"/> ("" without one), or null: not found.</summary>
    public string? Query(string path) =>
        FindBySocket(path) is int relay ? Relays.Status(relay).Device ?? "" : null;

    private int? FindBySocket(string path) => Find(s => s.SocketPath == path);

    private int? FindByDevice(string device) => Find(s => DeviceKey.Same(s.Device, device));

    /// <summary>The lowest relay with no VM, no device and no socket: never one in static-socket mode (§3.3).</summary>
    private int? FindIdle() => Find(s =>
        s.VmState == VmSideState.VIRTIO_UNINIT && s.VfState == VfSideState.DPDK_UNINIT && s.SocketPath is null);

    private int? Find(Func<RelayStatus, bool> match)
    {
        for (int i = 0; i < Relays.RelayCount; i++)
            if (match(Relays.Status(i)))
                return i;
        return null;
    }
}
