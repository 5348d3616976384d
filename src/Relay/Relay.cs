using VirtioForwarder.Device;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;

namespace VirtioForwarder.Relay;

/// <summary>Where a relay's two directions run, from upstream's -c R:CPU1,CPU2 (CPU1 = VF→VM).</summary>
public sealed record CpuPair(int VfToVmCpu, int VmToVfCpu);

/// <summary>What every relay of a daemon shares: the CPU bookkeeping, the workers, the device limits.</summary>
public sealed record RelayShared(CpuPlacement Placement, WorkerPool Workers, int QueuePairs);

/// <summary>
/// A relay joins one vhost-user socket (the VM side) to one port (the host side). Each direction
/// runs on the worker of a CPU chosen when its side comes up (contract §10.5): VF→VM when a port
/// is attached, VM→VF when a VM connects; the choice is released when the side goes away.
/// Either side may come and go at run time without disturbing other relays; frames that find the
/// other side missing are counted, never silently lost. Side changes are serialised by a lock;
/// the workers read the sides once per pass and are waited for before anything they used is closed.
/// </summary>
public sealed class Relay : IDisposable
{
    /// <summary>How long a side change waits for the workers to let go (upstream: 1 s, contract §10.4).</summary>
    public static readonly TimeSpan WorkerTimeout = TimeSpan.FromSeconds(1);

    private readonly RelaySides _sides = new();
    private readonly VmToPortForwarder _vmToPort;
    private readonly PlacedDirection _vfToVm, _vmToVf;
    private readonly PortRxMissed _portRxMissed;
    private readonly RelayShared _shared;
    private readonly CpuPair? _pin;
    private readonly Lock _gate = new();
    private VhostUserSocket? _socket;
    private volatile string? _deviceKey;
    // A port whose detach timed out: off the relay, but not closed until the workers let go.
    private IPort? _leavingPort;
    private volatile int _numaNode;
    private volatile VmState _vmRemoving;       // Uninit when not removing
    private volatile PortState _portRemoving;   // Uninit when not removing

    public Relay(int id, RelayShared shared, CpuPair? pin)
    {
        Id = id;
        _shared = shared;
        _pin = pin;
        _vmToPort = new VmToPortForwarder(_sides, shared.QueuePairs);
        _vfToVm = new PlacedDirection(Direction.VfToVm, new PortToVmForwarder(_sides, shared.QueuePairs), shared.Placement, shared.Workers);
        _vmToVf = new PlacedDirection(Direction.VmToVf, _vmToPort, shared.Placement, shared.Workers);
        _portRxMissed = new PortRxMissed(_vfToVm.Forwarder.Counters);
        // §4.2: with a pin, the relay's node is that of the pinned VM→VF CPU.
        _numaNode = pin is null ? -1 : shared.Placement.Topology.NodeOf(pin.VmToVfCpu);
    }

    public int Id { get; }
    public string? SocketPath => _socket?.Path;
    public IPort? Port => _sides.Port;

    /// <summary>The device string stored at attach (contract §3.2), null without a device.</summary>
    public string? DeviceKey => _deviceKey;

    /// <summary>The relay's NUMA node: the pinned VM→VF CPU's, else the last attached port's; -1 while unknown.</summary>
    public int NumaNode => _numaNode;

    public VmState VmState =>
        _vmRemoving != VmState.Uninit ? _vmRemoving
        : _sides.Device?.LiveQueues is { } live && (live.GuestRx.Length > 0 || live.GuestTx.Length > 0) ? VmState.Ready
        : VmState.Uninit;

    public PortState PortState =>
        _portRemoving != PortState.Uninit ? _portRemoving
        : _sides.Port is null ? PortState.Uninit
        : VmState == VmState.Ready ? PortState.Ready
        : PortState.Added;

    /// <summary>Joins the VM side: each frontend that connects to <paramref name="socket"/> becomes this relay's device.</summary>
    public void AttachSocket(VhostUserSocket socket)
    {
        if (_socket is not null) throw new InvalidOperationException($"relay {Id} already has socket {_socket.Path}");
        _socket = socket;
        socket.Connected += OnConnected;
        socket.Disconnected += OnDisconnected;
    }

    /// <summary>Leaves the VM side: the socket is closed (its frontend disconnected) and forgotten. Runs on the control loop.</summary>
    public void DetachSocket()
    {
        if (_socket is not { } socket) return;
        socket.Dispose();
        socket.Connected -= OnConnected;
        socket.Disconnected -= OnDisconnected;
        _socket = null;
    }

    /// <summary>Attaches a port as this relay's device, stored as <paramref name="key"/>; false if the relay has one.</summary>
    public bool AttachPort(IPort port, string key)
    {
        lock (_gate)
        {
            if (PortState != PortState.Uninit) return false;
            if (_pin is null && port.NumaNode >= 0) _numaNode = port.NumaNode;
            _deviceKey = key;
            _sides.Port = port;
            _portRxMissed.Attach(port);
            _vfToVm.Start(_pin?.VfToVmCpu, _numaNode);
            _vmToVf.Wake();
        }
        Log.Info($"relay {Id}: port {port.Name} attached, VF→VM on CPU {_vfToVm.Worker?.Cpu}");
        return true;
    }

    /// <summary>
    /// Detaches the port and closes it once no worker uses it: DPDK_REMOVING1 while its VF→VM
    /// direction leaves its worker, DPDK_REMOVING2 while the VM→VF worker lets go. False if the
    /// workers did not let go in time: the relay stays in DPDK_REMOVING2 and a later call retries.
    /// </summary>
    public bool DetachPort()
    {
        IPort? port;
        lock (_gate)
        {
            bool retry = _leavingPort is not null;
            port = _sides.Port ?? _leavingPort;
            if (port is null) return true;
            _leavingPort = port;
            _portRemoving = PortState.Removing1;
            _sides.Port = null;
            bool letGo = _vfToVm.Stop(WorkerTimeout);
            _portRemoving = PortState.Removing2;
            // A retry cannot know which worker held on: wait for them all.
            IReadOnlyList<Worker> holders = retry ? _shared.Workers.Started : _vmToVf.Worker is { } w ? [w] : [];
            foreach (var holder in holders) letGo &= holder.WaitForPass(WorkerTimeout);
            if (!letGo)
            {
                Log.Error($"relay {Id}: the workers did not let go of port {port.Name} within {WorkerTimeout.TotalSeconds} s");
                return false;
            }
            _leavingPort = null;
            _portRxMissed.Detach();
            _deviceKey = null;
            _portRemoving = PortState.Uninit;
        }
        port.Dispose();
        Log.Info($"relay {Id}: port {port.Name} detached");
        return true;
    }

    /// <summary>
    /// Moves one direction to the worker of <paramref name="cpu"/> (core scheduler UPDATE, contract §5):
    /// false, moving nothing, when the CPU has no worker or the direction's side is not up.
    /// The move lasts until that side comes up again.
    /// </summary>
    public bool MoveDirection(Direction direction, int cpu)
    {
        lock (_gate)
        {
            bool up = direction == Direction.VmToVf ? VmState == VmState.Ready : PortState is PortState.Added or PortState.Ready;
            if (!up) return false;
            var placed = direction == Direction.VmToVf ? _vmToVf : _vfToVm;
            if (!placed.MoveTo(cpu, WorkerTimeout)) return false;
        }
        Log.Info($"relay {Id}: {direction} moved to CPU {cpu}");
        return true;
    }

    private void OnConnected(VhostUserNetDevice device)
    {
        lock (_gate)
        {
            device.QueuesChanged += _ => WakeWorkers();
            // Checksum and TCP segmentation offloads are offered only while the port can carry
            // them (AF_PACKET: the kernel resolves them for the device). Features are fixed once
            // negotiated, so a port that comes later may carry less than the guest was offered:
            // the relay then resolves in software (OffloadFallback), so the guest works whatever
            // port it gets. Offering nothing when there is no port, rather than everything, keeps
            // that software work off the worker in the steady state of a relay whose port cannot
            // carry offloads (AF_XDP, bonds, null, tap); a guest that connected first still works
            // with any port, only without offloads until it reconnects.
            device.OffloadsCarried = () => _sides.Port?.CarriesOffloads == true;
            _sides.Device = device;
            _vmToVf.Start(_pin?.VmToVfCpu, _numaNode);
            _vfToVm.Wake();
        }
        Log.Info($"relay {Id}: VM connected, VM→VF on CPU {_vmToVf.Worker?.Cpu}");
    }

    /// <summary>VIRTIO_REMOVING1 while VM→VF leaves its worker, VIRTIO_REMOVING2 while the VF→VM worker lets go (§10.4).</summary>
    private void OnDisconnected(VhostUserNetDevice device)
    {
        lock (_gate)
        {
            if (_sides.Device != device) return;
            _vmRemoving = VmState.Removing1;
            _sides.Device = null;
            bool letGo = _vmToVf.Stop(WorkerTimeout);
            _vmRemoving = VmState.Removing2;
            letGo &= _vfToVm.Worker?.WaitForPass(WorkerTimeout) ?? true;
            _vmRemoving = VmState.Uninit;
            if (!letGo) Log.Warning($"relay {Id}: the workers did not let go of the VM within {WorkerTimeout.TotalSeconds} s");
        }
    }

    private void WakeWorkers()
    {
        _vfToVm.Wake();
        _vmToVf.Wake();
    }

    /// <summary>Moves the port's kernel receive drops into the counters (<see cref="PortRxMissed"/>); any thread.</summary>
    public void CollectPortDrops() => _portRxMissed.Collect();

    public RelaySnapshot Snapshot()
    {
        _portRxMissed.Collect();
        var live = _sides.Device?.LiveQueues;
        var vmState = VmState;
        var portState = PortState;
        // Contract §4.2: a direction's CPU is reported only while its side is up.
        var vmToVf = vmState == VmState.Ready ? _vmToVf.Worker : null;
        var vfToVm = portState is PortState.Added or PortState.Ready ? _vfToVm.Worker : null;
        return new RelaySnapshot(
            Id, SocketPath, _sides.Port?.Name,
            VmConnected: vmState == VmState.Ready,
            GuestRxQueues: live?.GuestRx.Length ?? 0, GuestTxQueues: live?.GuestTx.Length ?? 0,
            VfToVmCpu: vfToVm?.Cpu, VmToVfCpu: vmToVf?.Cpu,
            VfToVmThread: vfToVm?.ThreadId, VmToVfThread: vmToVf?.ThreadId,
            VfToVm: _vfToVm.Forwarder.Counters.Read(), VmToVf: _vmToPort.Counters.Read(),
            Device: DeviceKey, VmState: vmState, PortState: portState, NumaNode: NumaNode,
            EvictingGuestFrames: _vmToPort.EvictingGuestFrames);
    }

    public void Dispose()
    {
        DetachSocket();
        lock (_gate)
        {
            _vfToVm.Stop(WorkerTimeout);
            _vmToVf.Stop(WorkerTimeout);
        }
        _portRxMissed.Detach();
        (_sides.Port ?? _leavingPort)?.Dispose();
        _sides.Port = null;
        _vmToPort.Dispose();
    }
}

/// <summary>
/// A relay's state and counters at one moment, for stats. CPUs and worker thread ids are those of
/// the directions whose side is up; <see cref="Device"/> is the stored device string.
/// <see cref="EvictingGuestFrames"/>: VM→VF evicts the frames it copies from the cache (EvictionTuner).
/// </summary>
public sealed record RelaySnapshot(int Id, string? SocketPath, string? Port, bool VmConnected,
    int GuestRxQueues, int GuestTxQueues, int? VfToVmCpu, int? VmToVfCpu, int? VfToVmThread, int? VmToVfThread,
    CountersSnapshot VfToVm, CountersSnapshot VmToVf,
    string? Device = null, VmState VmState = VmState.Uninit, PortState PortState = PortState.Uninit, int NumaNode = -1,
    bool EvictingGuestFrames = false);
