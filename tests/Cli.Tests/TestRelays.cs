using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Tests;

internal static class TestRelays
{
    /// <summary>An active relay with the given CPUs (null: that direction has none) on NUMA node <paramref name="socketId"/>.</summary>
    public static RelayState Active(uint id, int? vfToVm, int? vmToVf, uint socketId = 0)
    {
        var relay = new RelayState
        {
            Id = id, Active = true, SocketId = socketId,
            Vhost = new RelayState.Types.Vhost { VhostSocketName = $"/tmp/r{id}.sock" },
            // The rates are required (§2.2): a reply without them does not parse.
            VfToVm = new RelayState.Types.VFtoVM
            {
                Active = vfToVm is not null, InternalState = "DPDK_READY",
                PktRateRxFromVf = 0, ByteRateRxFromVf = 0, PktRateTxToVm = 0, ByteRateTxToVm = 0,
            },
            VmToVf = new RelayState.Types.VMtoVF
            {
                Active = vmToVf is not null, InternalState = "VIRTIO_READY",
                PktRateRxFromVm = 0, ByteRateRxFromVm = 0, PktRateTxToVf = 0, ByteRateTxToVf = 0,
            },
        };
        if (vfToVm is not null || vmToVf is not null)
        {
            relay.Cpu = new RelayState.Types.CPU();
            if (vfToVm is int a) relay.Cpu.VfToVm = a;
            if (vmToVf is int b) relay.Cpu.VmToVf = b;
        }
        return relay;
    }
}
