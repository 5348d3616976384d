using VirtioForwarder.Relay;

namespace VirtioForwarder.Control.Model;

/// <summary>
/// What the control services (ZeroMQ port control, stats, config and core scheduler; OVSDB; file
/// IPC; the admin socket) may ask of the daemon's relays. The daemon implements it over its relay
/// table; the services hold the wire rules (docs/control-contract.md §3–6) and call only this.
/// Calls come from several service threads at once; implementations serialise them.
/// </summary>
public interface IRelayControl
{
    /// <summary>Relays 0..RelayCount-1 exist (upstream: 64; --max-relays).</summary>
    int RelayCount { get; }

    /// <summary>The worker CPUs of -C, ascending; never the main lcore (GET_EAL_CORES).</summary>
    IReadOnlyList<int> WorkerCpus { get; }

    /// <summary>The pins of -c as given at start-up, by relay (the config service reports these).</summary>
    IReadOnlyList<RelayPin> StartupPins { get; }

    /// <summary>True when the daemon connects to sockets (-i) rather than listening on them.</summary>
    bool ClientMode { get; }

    RelayStatus Status(int relay);

    /// <summary>
    /// Attaches the host-side device to a relay that has none. The device is named as in
    /// <see cref="DeviceRequest"/>; the relay stores <see cref="DeviceRequest.Key"/> as its device string.
    /// </summary>
    AttachResult AttachDevice(int relay, DeviceRequest device);

    /// <summary>Detaches and closes the relay's device once no worker uses it; the other relays keep forwarding.</summary>
    DetachResult DetachDevice(int relay);

    /// <summary>True when some relay's device is <paramref name="key"/>, or a bond of some relay has it as a member (ADD_SOCK −17).</summary>
    bool IsDeviceInUse(string key);

    /// <summary>Gives the relay a vhost-user socket at <paramref name="path"/>: listens there, or connects (client mode).</summary>
    SocketResult OpenSocket(int relay, string path);

    /// <summary>Disconnects the relay's VM, closes its socket and deletes the socket file if the daemon created it.</summary>
    SocketResult CloseSocket(int relay);

    /// <summary>
    /// Moves one direction of a relay to the worker of <paramref name="cpu"/> (core scheduler UPDATE).
    /// Returns false, moving nothing, when that CPU has no worker or that side of the relay is not up
    /// (VM→VF needs a connected VM, VF→VM an attached device; contract §5).
    /// </summary>
    bool MoveDirection(int relay, RelayDirection direction, int cpu);
}

public enum RelayDirection { VfToVm, VmToVf }

/// <summary>A -c pin: CPU1 serves VF→VM (vf2virtio), CPU2 VM→VF (virtio2vf).</summary>
public sealed record RelayPin(int Relay, int VfToVmCpu, int VmToVfCpu);

/// <summary>
/// A host-side device to attach. <see cref="Key"/> is the string the relay stores and reports
/// (stats <c>vf.pci_addr_str</c>, QUERY_PCI): a PCI address as spelled by the requester, a bond's
/// name cut to 19 characters, or one of our port specs (<c>netdev:eth1</c>, <c>tap:x</c>, <c>null</c>).
/// A bond has two or more <see cref="Members"/> (PCI addresses or port specs) and a DPDK bonding
/// mode 0–6; a single device has no members.
/// </summary>
public sealed record DeviceRequest(string Key, IReadOnlyList<string> Members, int BondMode = 1)
{
    public bool IsBond => Members.Count >= 2;

    public static DeviceRequest Single(string key) => new(key, []);
}

/// <summary>Outcomes of an attach, named for what went wrong; the services map them to upstream's codes.</summary>
public enum AttachResult
{
    Ok,
    /// <summary>The relay already has a device.</summary>
    Occupied,
    /// <summary>The device (or a bond member) does not exist, e.g. no such PCI function or netdev.</summary>
    NotFound,
    /// <summary>A bond member is already some relay's device or member.</summary>
    MemberInUse,
    /// <summary>The device exists but could not be opened or configured (driver, MTU, rings).</summary>
    ConfigureFailed,
    /// <summary>A bond member could not be attached.</summary>
    MemberFailed,
    /// <summary>The device was set up but would not start.</summary>
    StartFailed,
}

public enum DetachResult
{
    Ok,
    /// <summary>The relay has no device.</summary>
    NotAttached,
    /// <summary>The workers did not let go of the device in time (upstream: 1 s).</summary>
    Timeout,
    Failed,
}

public enum SocketResult
{
    Ok,
    /// <summary>Some relay already has a socket at that path (OpenSocket), or this relay has none (CloseSocket).</summary>
    Conflict,
    /// <summary>The socket could not be created, listened on, or removed.</summary>
    Failed,
}

/// <summary>VM side states, as upstream's stats name them (contract §10.4).</summary>
public enum VmSideState { VIRTIO_UNINIT, VIRTIO_READY, VIRTIO_REMOVING1, VIRTIO_REMOVING2 }

/// <summary>Device (VF) side states, as upstream's stats name them (contract §10.4).</summary>
public enum VfSideState { DPDK_UNINIT, DPDK_ADDED, DPDK_READY, DPDK_REMOVING1, DPDK_REMOVING2 }

/// <summary>
/// One relay at one moment. <see cref="SocketPath"/> is null when the relay has no socket (stats
/// <c>NONE</c>); <see cref="Device"/> is the stored device string, null without a device.
/// CPUs are those of the workers serving each direction, null while that side is not up.
/// <see cref="NumaNode"/> is -1 when unknown. Counters never reset.
/// </summary>
public sealed record RelayStatus(
    int Id,
    string? SocketPath,
    string? Device,
    VmSideState VmState,
    VfSideState VfState,
    int? VfToVmCpu,
    int? VmToVfCpu,
    int NumaNode,
    CountersSnapshot VfToVm,
    CountersSnapshot VmToVf)
{
    /// <summary>Upstream's <c>active</c>: the VM side is ready and so is the device side.</summary>
    public bool Active => VmState == VmSideState.VIRTIO_READY && VfState == VfSideState.DPDK_READY;
}
