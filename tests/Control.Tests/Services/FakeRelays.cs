using VirtioForwarder.Control.Model;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Control.Tests.Services;

/// <summary>
/// An in-memory relay table behind the services' seam: pure logic, no ports or sockets. Each
/// relay is a mutable <see cref="Slot"/>; the next outcome of each operation can be forced.
/// </summary>
internal sealed class FakeRelays : IRelayControl
{
    public sealed class Slot
    {
        public string? SocketPath;
        public string? Device;
        public IReadOnlyList<string> Members = [];
        public VmSideState VmState = VmSideState.VIRTIO_UNINIT;
        public VfSideState VfState = VfSideState.DPDK_UNINIT;
        public int? VfToVmCpu, VmToVfCpu;
        public int NumaNode = -1;
        public CountersSnapshot VfToVm, VmToVf;
        /// <summary>Added to every counter at each Status read, so time-based rates see traffic.</summary>
        public long GrowthPerRead;
    }

    public FakeRelays(int count = 64)
    {
        Slots = Enumerable.Range(0, count).Select(_ => new Slot()).ToArray();
    }

    /// <summary>Static-socket mode: every relay owns <c>/tmp/vf{i}.sock</c>.</summary>
    public static FakeRelays WithStaticSockets(int count = 64)
    {
        var relays = new FakeRelays(count);
        for (int i = 0; i < count; i++) relays.Slots[i].SocketPath = StaticSocket(i);
        return relays;
    }

    public static string StaticSocket(int relay) => $"/tmp/vf{relay}.sock";

    public Slot[] Slots { get; }
    public int RelayCount => Slots.Length;
    public IReadOnlyList<int> WorkerCpus { get; set; } = [1, 2];
    public IReadOnlyList<RelayPin> StartupPins { get; set; } = [];
    public bool ClientMode => false;

    public AttachResult? NextAttach;
    public DetachResult? NextDetach;
    public SocketResult? NextOpen, NextClose;
    public readonly List<string> Calls = [];

    /// <summary>A device attached as -P or ADD would leave it: added, or ready with a VM.</summary>
    public void Attach(int relay, string device, int cpu = 1)
    {
        var s = Slots[relay];
        s.Device = device;
        s.VfState = s.VmState == VmSideState.VIRTIO_READY ? VfSideState.DPDK_READY : VfSideState.DPDK_ADDED;
        s.VfToVmCpu = cpu;
    }

    public void ConnectVm(int relay, int cpu = 2)
    {
        var s = Slots[relay];
        s.VmState = VmSideState.VIRTIO_READY;
        s.VmToVfCpu = cpu;
        if (s.VfState == VfSideState.DPDK_ADDED) s.VfState = VfSideState.DPDK_READY;
    }

    public RelayStatus Status(int relay)
    {
        var s = Slots[relay];
        if (s.GrowthPerRead != 0)
        {
            s.VfToVm = Grow(s.VfToVm, s.GrowthPerRead);
            s.VmToVf = Grow(s.VmToVf, s.GrowthPerRead);
        }
        return new RelayStatus(relay, s.SocketPath, s.Device, s.VmState, s.VfState, s.VfToVmCpu, s.VmToVfCpu,
            s.NumaNode, s.VfToVm, s.VmToVf);
    }

    private static CountersSnapshot Grow(CountersSnapshot c, long n) =>
        c with { RxPackets = c.RxPackets + n, RxBytes = c.RxBytes + 64 * n, TxPackets = c.TxPackets + n, TxBytes = c.TxBytes + 64 * n };

    public AttachResult AttachDevice(int relay, DeviceRequest device)
    {
        Calls.Add($"attach {relay} {device.Key} [{string.Join(",", device.Members)}] mode {device.BondMode}");
        var result = NextAttach ?? (Slots[relay].Device is null ? AttachResult.Ok : AttachResult.Occupied);
        if (result == AttachResult.Ok)
        {
            Attach(relay, device.Key);
            Slots[relay].Members = device.Members;
        }
        return result;
    }

    public DetachResult DetachDevice(int relay)
    {
        Calls.Add($"detach {relay}");
        var s = Slots[relay];
        var result = NextDetach ?? (s.Device is null ? DetachResult.NotAttached : DetachResult.Ok);
        if (result == DetachResult.Ok)
        {
            (s.Device, s.Members, s.VfState, s.VfToVmCpu) = (null, [], VfSideState.DPDK_UNINIT, null);
        }
        return result;
    }

    public bool IsDeviceInUse(string key) =>
        Slots.Any(s => s.Device is not null && (string.Equals(s.Device, key, StringComparison.OrdinalIgnoreCase) || s.Members.Contains(key)));

    public SocketResult OpenSocket(int relay, string path)
    {
        Calls.Add($"open {relay} {path}");
        var result = NextOpen ?? (Slots.Any(s => s.SocketPath == path) ? SocketResult.Conflict : SocketResult.Ok);
        if (result == SocketResult.Ok) Slots[relay].SocketPath = path;
        return result;
    }

    public SocketResult CloseSocket(int relay)
    {
        Calls.Add($"close {relay}");
        var s = Slots[relay];
        var result = NextClose ?? (s.SocketPath is null ? SocketResult.Conflict : SocketResult.Ok);
        if (result == SocketResult.Ok)
        {
            (s.SocketPath, s.VmState, s.VmToVfCpu) = (null, VmSideState.VIRTIO_UNINIT, null);
            if (s.VfState == VfSideState.DPDK_READY) s.VfState = VfSideState.DPDK_ADDED;
        }
        return result;
    }

    public bool MoveDirection(int relay, RelayDirection direction, int cpu)
    {
        Calls.Add($"move {relay} {direction} {cpu}");
        var s = Slots[relay];
        if (!WorkerCpus.Contains(cpu)) return false;
        if (direction == RelayDirection.VmToVf && s.VmState == VmSideState.VIRTIO_READY) s.VmToVfCpu = cpu;
        else if (direction == RelayDirection.VfToVm && s.Device is not null) s.VfToVmCpu = cpu;
        else return false;
        return true;
    }
}
