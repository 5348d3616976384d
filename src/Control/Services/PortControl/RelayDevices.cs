using VirtioForwarder.Control.Model;

namespace VirtioForwarder.Control.Services.PortControl;

/// <summary>
/// Upstream's routines that put a device on a relay or take it off, returning their codes
/// (docs/control-contract.md §3.2, rows ADD and REMOVE): virtio_forwarder_add_vf2,
/// virtio_forwarder_bond_add and virtio_forwarder_remove_vf2.
/// </summary>
internal sealed class RelayDevices(IRelayControl relays)
{
    public const string AddSource = "virtio_forwarder_add_vf2()";
    public const string BondAddSource = "virtio_forwarder_bond_add()";
    public const string RemoveSource = "virtio_forwarder_remove_vf2()";

    /// <summary>DPDK bonding modes 0 (round-robin) to 6 (ALB); rte_eth_bond_create refuses others.</summary>
    private const uint LastBondMode = 6;

    public IRelayControl Relays => relays;

    /// <summary>One device (§3.2, ADD with one address).</summary>
    public int Add(string key, long relay, bool conditional)
    {
        if (relay >= relays.RelayCount) return 1;
        var status = relays.Status((int)relay);
        // Anything but UNINIT counts as attached here, the REMOVING states included; only a
        // conditional add of the very same device is a no-op.
        if (status.VfState != VfSideState.DPDK_UNINIT)
            return conditional && IsAttached(status) && DeviceKey.Same(status.Device, key) ? 0 : 8;
        return relays.AttachDevice((int)relay, DeviceRequest.Single(key)) switch
        {
            AttachResult.Ok => 0,
            AttachResult.Occupied => 8,
            AttachResult.ConfigureFailed => 4,
            AttachResult.StartFailed => 1,
            // The probe or attach failed: no such device, or it is some other relay's already.
            _ => 2,
        };
    }

    /// <summary>A bond of two or more devices; conditional plays no part (§3.2, ADD with a name).</summary>
    public int AddBond(string name, IReadOnlyList<string> members, uint mode, long relay)
    {
        if (relay >= relays.RelayCount) return 1;
        if (relays.Status((int)relay).VfState != VfSideState.DPDK_UNINIT) return 8;
        string key = DeviceKey.OfBond(name);
        // rte_eth_bond_create fails for a mode it does not know or a name already taken.
        if (mode > LastBondMode || relays.IsDeviceInUse(key)) return 2;
        return relays.AttachDevice((int)relay, new DeviceRequest(key, members, (int)mode)) switch
        {
            AttachResult.Ok => 0,
            AttachResult.Occupied => 8,
            AttachResult.MemberInUse => 3,
            AttachResult.ConfigureFailed => 4,
            AttachResult.StartFailed => 6,
            // NotFound, MemberFailed: a member would not attach.
            _ => 5,
        };
    }

    /// <summary>A device or bond by its key (§3.2, REMOVE).</summary>
    public int Remove(string key, long relay, bool conditional)
    {
        if (relay >= relays.RelayCount) return 1;
        var status = relays.Status((int)relay);
        if (!IsAttached(status)) return conditional ? 0 : 4;
        if (!DeviceKey.Same(status.Device, key)) return 3;
        return relays.DetachDevice((int)relay) switch
        {
            DetachResult.Ok => 0,
            DetachResult.Timeout => 5,
            DetachResult.NotAttached => conditional ? 0 : 4,
            _ => 2,
        };
    }

    private static bool IsAttached(RelayStatus status) =>
        status.VfState is VfSideState.DPDK_ADDED or VfSideState.DPDK_READY;
}
