using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Cli.Scheduling;

/// <summary>
/// The estimated CPU load of one relay's two workers, upstream's linear model from the eight
/// rates in its stats (docs/control-contract.md §7.5): a·Mpps + b·MB/s, each direction's rx and
/// tx rates averaged. 1.0 is roughly one busy core.
/// </summary>
internal sealed record RelayLoad(uint Relay, double VmToVf, double VfToVm)
{
    public static RelayLoad Estimate(RelayState relay) => FromRates(
        relay.Id,
        vmToVfPps: relay.VmToVf.PktRateRxFromVm + (double)relay.VmToVf.PktRateTxToVf,
        vmToVfBps: relay.VmToVf.ByteRateRxFromVm + (double)relay.VmToVf.ByteRateTxToVf,
        vfToVmPps: relay.VfToVm.PktRateRxFromVf + (double)relay.VfToVm.PktRateTxToVm,
        vfToVmBps: relay.VfToVm.ByteRateRxFromVf + (double)relay.VfToVm.ByteRateTxToVm);

    /// <summary>From each direction's rx + tx packet and byte rates (per second), summed.</summary>
    public static RelayLoad FromRates(uint relay, double vmToVfPps, double vmToVfBps, double vfToVmPps, double vfToVmBps) => new(
        relay,
        VmToVf: 8.2e-02 * vmToVfPps / 2 * 1e-6 + 9.3e-05 * vmToVfBps / 2 * 1e-6,
        VfToVm: 7.95e-02 * vfToVmPps / 2 * 1e-6 + 8.2e-05 * vfToVmBps / 2 * 1e-6);
}
