using VirtioForwarder.Device;
using VirtioForwarder.Platform;
using VirtioForwarder.Ports;

namespace VirtioForwarder.Relay;

/// <summary>Where a relay's two directions run, from upstream's -c R:CPU1,CPU2 (CPU1 = VF→VM).</summary>
public sealed record CpuPair(int VfToVmCpu, int VmToVfCpu);

/// <summary>
/// A relay joins one vhost-user socket (the VM side) to one port (the host side), with one worker
/// thread per direction pinned to its CPU. Either side may come and go at run time; frames that
/// find the other side missing are counted, never silently lost.
/// </summary>
public sealed class Relay : IDisposable
{
    private readonly RelaySides _sides = new();
    private readonly VmToPortForwarder _vmToPort;
    private readonly PortToVmForwarder _portToVm;
    private readonly CpuPlacement _placement;
    private readonly CpuPair? _pin;
    private readonly PollMode _mode;
    private readonly Lock _gate = new();
    private Worker? _vfToVmWorker, _vmToVfWorker;
    private VhostUserSocket? _socket;

    public Relay(int id, CpuPlacement placement, CpuPair? pin, PollMode mode)
    {
        Id = id;
        _placement = placement;
        _pin = pin;
        _mode = mode;
        _vmToPort = new VmToPortForwarder(_sides);
        _portToVm = new PortToVmForwarder(_sides);
    }

    public int Id { get; }
    public string? SocketPath => _socket?.Path;
    public IPort? Port => _sides.Port;

    /// <summary>Joins the VM side: each frontend that connects to <paramref name="socket"/> becomes this relay's device.</summary>
    public void AttachSocket(VhostUserSocket socket)
    {
        _socket = socket;
        socket.Connected += OnConnected;
        socket.Disconnected += OnDisconnected;
    }

    /// <summary>Leaves the VM side: the socket is closed (its frontend disconnected) and forgotten.</summary>
    public void DetachSocket()
    {
        if (_socket is not { } socket) return;
        socket.Dispose();
        socket.Connected -= OnConnected;
        socket.Disconnected -= OnDisconnected;
        _socket = null;
    }

    public void AttachPort(IPort port)
    {
        if (_sides.Port is not null) throw new InvalidOperationException($"relay {Id} already has port {_sides.Port.Name}");
        _sides.Port = port;
        EnsureWorkers();
        Log.Info($"relay {Id}: port {port.Name} attached");
    }

    /// <summary>Detaches and closes the port once no worker is using it.</summary>
    public void DetachPort()
    {
        var port = _sides.Port;
        if (port is null) return;
        _sides.Port = null;
        Quiesce();
        port.Dispose();
        Log.Info($"relay {Id}: port {port.Name} detached");
    }

    private void OnConnected(VhostUserNetDevice device)
    {
        device.QueuesChanged += _ => WakeWorkers();
        _sides.Device = device;
        EnsureWorkers();
        WakeWorkers();
    }

    private void OnDisconnected(VhostUserNetDevice device)
    {
        if (_sides.Device == device) _sides.Device = null;
        WakeWorkers();
    }

    private void EnsureWorkers()
    {
        lock (_gate)
        {
            if (_vfToVmWorker is not null) return;
            int vfToVm = _placement.Choose(Direction.VfToVm, _pin?.VfToVmCpu);
            int vmToVf = _placement.Choose(Direction.VmToVf, _pin?.VmToVfCpu);
            _vfToVmWorker = new Worker(vfToVm, _mode, $"relay{Id}-vf2vm");
            _vmToVfWorker = new Worker(vmToVf, _mode, $"relay{Id}-vm2vf");
            _vfToVmWorker.Add(_portToVm);
            _vmToVfWorker.Add(_vmToPort);
            Log.Info($"relay {Id}: VF→VM on CPU {vfToVm}, VM→VF on CPU {vmToVf}");
        }
    }

    private void WakeWorkers()
    {
        _vfToVmWorker?.Wake();
        _vmToVfWorker?.Wake();
    }

    /// <summary>Waits until both workers have finished any pass that may still hold the old sides.</summary>
    private void Quiesce()
    {
        lock (_gate)
        {
            if (_vfToVmWorker is null) return;
            _vfToVmWorker.Remove(_portToVm);
            _vmToVfWorker!.Remove(_vmToPort);
            _vfToVmWorker.WaitForPass();
            _vmToVfWorker.WaitForPass();
            _vfToVmWorker.Add(_portToVm);
            _vmToVfWorker.Add(_vmToPort);
        }
    }

    public RelaySnapshot Snapshot()
    {
        var device = _sides.Device;
        var live = device?.LiveQueues;
        return new RelaySnapshot(
            Id, SocketPath, _sides.Port?.Name,
            VmConnected: live is { GuestRx.Length: > 0 } || live is { GuestTx.Length: > 0 },
            GuestRxQueues: live?.GuestRx.Length ?? 0, GuestTxQueues: live?.GuestTx.Length ?? 0,
            VfToVmCpu: _vfToVmWorker?.Cpu, VmToVfCpu: _vmToVfWorker?.Cpu,
            VfToVmThread: _vfToVmWorker?.ThreadId, VmToVfThread: _vmToVfWorker?.ThreadId,
            VfToVm: _portToVm.Counters.Read(), VmToVf: _vmToPort.Counters.Read());
    }

    public void Dispose()
    {
        DetachSocket();
        lock (_gate)
        {
            _vfToVmWorker?.Dispose();
            _vmToVfWorker?.Dispose();
            if (_vfToVmWorker is not null)
            {
                _placement.Release(Direction.VfToVm, _vfToVmWorker.Cpu);
                _placement.Release(Direction.VmToVf, _vmToVfWorker!.Cpu);
            }
            _vfToVmWorker = _vmToVfWorker = null;
        }
        _sides.Port?.Dispose();
        _sides.Port = null;
        _vmToPort.Dispose();
    }
}

/// <summary>A relay's state and counters at one moment, for stats.</summary>
public sealed record RelaySnapshot(int Id, string? SocketPath, string? Port, bool VmConnected,
    int GuestRxQueues, int GuestTxQueues, int? VfToVmCpu, int? VmToVfCpu, int? VfToVmThread, int? VmToVfThread,
    CountersSnapshot VfToVm, CountersSnapshot VmToVf);
