using Google.Protobuf;
using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Platform;
using Op = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.Op;
using RelayCpu = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;
using Status = VirtioForwarder.Control.Protobuf.CoreSchedResponse.Types.Status;

namespace VirtioForwarder.Control.Services.CoreSched;

/// <summary>
/// Upstream's core scheduler service (docs/control-contract.md §5): CoreSchedRequest →
/// CoreSchedResponse. GET_EAL_CORES lists the worker CPUs; UPDATE moves relay directions to
/// other workers and answers OK for any non-empty map, as upstream's always-zero
/// migrate_relay_cpus makes it do.
/// </summary>
public sealed class CoreSchedService(IRelayControl relays) : ProtobufService<CoreSchedRequest>(CoreSchedRequest.Parser)
{
    public const string NoWorkersSource = "worker core request";

    /// <summary>Upstream's CPU masks are 64 bits wide.</summary>
    private const int CpuLimit = 64;

    public override string Name => "core scheduler";

    protected override IMessage Undecodable => BareError;

    /// <summary>ERROR with no code: undecodable, out of range, an empty UPDATE or an unknown op (§5).</summary>
    private static CoreSchedResponse BareError => new() { Status = Status.Error };

    protected override IMessage Answer(CoreSchedRequest r, CancellationToken stopping)
    {
        // Upstream lets relay 64, negative relays and any CPU through to index out of range; we refuse them.
        if (r.RelayCpuMap.FirstOrDefault(IsOutOfRange) is { } bad)
        {
            Log.Warning($"CoreSchedRequest: relay {bad.RelayNumber} or its CPUs {bad.Vf2VirtioCpu},{bad.Virtio2VfCpu} out of range");
            return BareError;
        }
        return r.Op switch
        {
            Op.GetEalCores => EalCores(),
            Op.Update => Update(r),
            _ => BareError,
        };
    }

    private bool IsOutOfRange(RelayCpu m) =>
        m.RelayNumber < 0 || m.RelayNumber >= relays.RelayCount ||
        m.Vf2VirtioCpu is < 0 or >= CpuLimit || m.Virtio2VfCpu is < 0 or >= CpuLimit;

    /// <summary>The worker CPUs of -C, ascending, without the main lcore; none → error 1.</summary>
    private CoreSchedResponse EalCores()
    {
        if (relays.WorkerCpus.Count == 0)
            return new CoreSchedResponse { Status = Status.Error, ErrorCode = 1, ErrorCodeSource = NoWorkersSource };
        var reply = new CoreSchedResponse { Status = Status.Ok };
        reply.EalCores.AddRange(relays.WorkerCpus.Select(c => (uint)c));
        return reply;
    }

    /// <summary>
    /// Each entry moves VM→VF to virtio2vf_cpu and VF→VM to vf2virtio_cpu where that side is up and
    /// the CPU has a worker; a move that cannot happen is only logged (§5).
    /// </summary>
    private CoreSchedResponse Update(CoreSchedRequest r)
    {
        if (r.RelayCpuMap.Count == 0) return BareError;
        foreach (var m in r.RelayCpuMap)
        {
            Log.Info($"Setting relay {m.RelayNumber}'s virtio2vf_cpu={m.Virtio2VfCpu} and vf2virtio_cpu={m.Vf2VirtioCpu}");
            Move(m.RelayNumber, RelayDirection.VmToVf, m.Virtio2VfCpu);
            Move(m.RelayNumber, RelayDirection.VfToVm, m.Vf2VirtioCpu);
        }
        return new CoreSchedResponse { Status = Status.Ok };
    }

    private void Move(int relay, RelayDirection direction, int cpu)
    {
        if (!relays.MoveDirection(relay, direction, cpu))
            Log.Warning($"relay {relay}: {direction} stays where it is: CPU {cpu} has no worker or that side is not up");
    }
}
