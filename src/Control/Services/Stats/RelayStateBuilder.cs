using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Control.Services.Stats;

/// <summary>
/// One RelayState as upstream fills it (docs/control-contract.md §4.2): id, active, socket_id,
/// vhost and both directions always; a direction's counters and CPU only while it is active; its
/// four rates always (0 while inactive); vf only while the device side is active.
/// </summary>
internal static class RelayStateBuilder
{
    /// <summary>(unsigned)−1, SOCKET_ID_ANY: no NUMA node known yet.</summary>
    public const uint UnknownSocket = uint.MaxValue;

    /// <summary>Upstream keeps socket names in 128-byte buffers.</summary>
    private const int MaxSocketName = 127;

    public static RelayState Build(RelayStatus s, RateBaseline then, RateBaseline now)
    {
        float seconds = then.SecondsUntil(now);
        var state = new RelayState
        {
            Id = (uint)s.Id,
            Active = s.Active,
            SocketId = s.NumaNode < 0 ? UnknownSocket : (uint)s.NumaNode,
            Vhost = new RelayState.Types.Vhost { VhostSocketName = SocketName(s.SocketPath) },
            VfToVm = VfToVm(s, then, now, seconds),
            VmToVf = VmToVf(s, then, now, seconds),
        };
        var cpu = new RelayState.Types.CPU();
        if (state.VfToVm.Active && s.VfToVmCpu is int vfCpu) cpu.VfToVm = vfCpu;
        if (state.VmToVf.Active && s.VmToVfCpu is int vmCpu) cpu.VmToVf = vmCpu;
        if (cpu.HasVfToVm || cpu.HasVmToVf) state.Cpu = cpu;
        if (state.VfToVm.Active) state.Vf = new RelayState.Types.VF { PciAddrStr = s.Device ?? "" };
        return state;
    }

    private static string SocketName(string? path) =>
        path is null ? "NONE" : path.Length > MaxSocketName ? path[..MaxSocketName] : path;

    private static RelayState.Types.VFtoVM VfToVm(RelayStatus s, RateBaseline then, RateBaseline now, float seconds)
    {
        // A device counts as there once added, whether or not a VM is connected.
        bool active = s.VfState is VfSideState.DPDK_ADDED or VfSideState.DPDK_READY;
        var d = new RelayState.Types.VFtoVM
        {
            Active = active,
            InternalState = s.VfState.ToString(),
            PktRateRxFromVf = 0, ByteRateRxFromVf = 0, PktRateTxToVm = 0, ByteRateTxToVm = 0,
        };
        if (!active) return d;
        var (c, b) = (now.VfToVm, then.VfToVm);
        d.PktsRxFromVf = (ulong)c.RxPackets;
        d.BytesRxFromVf = (ulong)c.RxBytes;
        d.PktsTxToVm = (ulong)c.TxPackets;
        d.BytesTxToVm = (ulong)c.TxBytes;
        // Frames wait in the port while the guest's queue is full (the relay takes only what the
        // guest has room for), so those the port's ring then loses, kernel side, are the frames
        // upstream would count as VM queue full: they count here too. This also takes the frames
        // a relay too slow for its port lost there, which DPDK reports as the NIC's imissed and
        // upstream not at all; the admin channel shows the two apart.
        d.PktsDroppedVmQueueFull = (ulong)(c.DroppedQueueFull + c.DroppedRxMissed);
        d.PktsDroppedVmNotConnected = (ulong)c.DroppedNotConnected;
        d.PktRateRxFromVf = RateBaseline.Rate(c.RxPackets, b.RxPackets, seconds);
        d.ByteRateRxFromVf = RateBaseline.Rate(c.RxBytes, b.RxBytes, seconds);
        d.PktRateTxToVm = RateBaseline.Rate(c.TxPackets, b.TxPackets, seconds);
        d.ByteRateTxToVm = RateBaseline.Rate(c.TxBytes, b.TxBytes, seconds);
        return d;
    }

    private static RelayState.Types.VMtoVF VmToVf(RelayStatus s, RateBaseline then, RateBaseline now, float seconds)
    {
        bool active = s.VmState == VmSideState.VIRTIO_READY;
        var d = new RelayState.Types.VMtoVF
        {
            Active = active,
            InternalState = s.VmState.ToString(),
            PktRateRxFromVm = 0, ByteRateRxFromVm = 0, PktRateTxToVf = 0, ByteRateTxToVf = 0,
        };
        if (!active) return d;
        var (c, b) = (now.VmToVf, then.VmToVf);
        d.PktsRxFromVm = (ulong)c.RxPackets;
        d.BytesRxFromVm = (ulong)c.RxBytes;
        d.PktsTxToVf = (ulong)c.TxPackets;
        d.BytesTxToVf = (ulong)c.TxBytes;
        d.PktsDroppedVfQueueFull = (ulong)c.DroppedQueueFull;
        d.PktsDroppedVfNotConnected = (ulong)c.DroppedNotConnected;
        d.PktRateRxFromVm = RateBaseline.Rate(c.RxPackets, b.RxPackets, seconds);
        d.ByteRateRxFromVm = RateBaseline.Rate(c.RxBytes, b.RxBytes, seconds);
        d.PktRateTxToVf = RateBaseline.Rate(c.TxPackets, b.TxPackets, seconds);
        d.ByteRateTxToVf = RateBaseline.Rate(c.TxBytes, b.TxBytes, seconds);
        return d;
    }
}
