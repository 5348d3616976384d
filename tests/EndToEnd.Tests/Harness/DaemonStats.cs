using System.Text.Json;

namespace VirtioForwarder.EndToEnd.Tests.Harness;

/// <summary>
/// One direction of a relay. For vf_to_vm (port → VM) tx_packets counts frames delivered into the
/// guest; for vm_to_vf (VM → port) rx_packets counts frames taken from the guest and tx_packets
/// the frames the port accepted. <see cref="DroppedRxMissed"/> (vf_to_vm) are the frames the kernel
/// dropped in the port's receive ring, never received; <see cref="ByQueue"/> lists the queues that dropped any.
/// </summary>
public sealed record DirectionStats(
    long RxPackets, long RxBytes, long TxPackets, long TxBytes,
    long DroppedQueueFull, long DroppedNotConnected, long DroppedLinkDown, long DroppedOversize,
    long DroppedRxMissed = 0, IReadOnlyList<QueueDropStats>? ByQueue = null);

/// <summary>One queue's drops by reason (for vf_to_vm's rx_missed, the port queue's).</summary>
public sealed record QueueDropStats(int Queue, long QueueFull, long NotConnected, long LinkDown, long Oversize, long RxMissed);

/// <summary>
/// One relay as `vfwdctl stats --json` reports it. CPUs and worker thread ids are those of the
/// directions whose side is up (VF→VM: a port attached; VM→VF: a VM ready); states as upstream names them.
/// <see cref="NumaNode"/> is the relay's node (its pinned CPU's, else its port's), -1 while unknown.
/// </summary>
public sealed record RelayStats(
    int Id, string? SocketPath, string? Port, bool VmConnected, int GuestRxQueues, int GuestTxQueues,
    DirectionStats VfToVm, DirectionStats VmToVf,
    int? VfToVmCpu = null, int? VmToVfCpu = null, int? VfToVmThread = null, int? VmToVfThread = null,
    string? Device = null, string? VmState = null, string? PortState = null, int NumaNode = -1);

/// <summary>One worker's time since it started, by what it did (ns), as `vfwdctl stats --json` reports it.</summary>
public sealed record WorkerStats(int Cpu, long BusyNs, long IdleNs, long SleepNs, long StalledNs, long Passes, long Sleeps);

/// <summary>
/// The daemon's counters, read through the product's own CLI (`vfwdctl stats --json`), so the
/// tests exercise the operator's path to them as well.
/// </summary>
public sealed record DaemonStats(IReadOnlyList<RelayStats> Relays, IReadOnlyList<WorkerStats> Workers)
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public RelayStats Relay(int id) =>
        Relays.SingleOrDefault(relay => relay.Id == id) ?? throw new InvalidOperationException($"no relay {id} in {this}");

    public static DaemonStats Read(string controlSocket)
    {
        var result = HostCommand.Run(new CommandLine(ProductPaths.Vfwdctl, "stats", "--json", "--control-socket", controlSocket));
        if (!result.Succeeded)
            throw new InvalidOperationException(result.ToString());
        var reply = JsonSerializer.Deserialize<Reply>(result.Output, Json)
                    ?? throw new InvalidOperationException($"empty reply: {result}");
        if (!reply.Ok || reply.Stats is null)
            throw new InvalidOperationException($"daemon refused: {result}");
        return new DaemonStats(reply.Stats.Relays, reply.Stats.Workers ?? []);
    }

    public override string ToString() => string.Join("; ", Relays);

    private sealed record Reply(bool Ok, string? Error, StatsBody? Stats);

    private sealed record StatsBody(IReadOnlyList<RelayStats> Relays, IReadOnlyList<WorkerStats>? Workers);
}
