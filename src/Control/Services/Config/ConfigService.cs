using Google.Protobuf;
using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;
using RelayCpu = VirtioForwarder.Control.Protobuf.ConfigResponse.Types.RelayCPU;
using Status = VirtioForwarder.Control.Protobuf.ConfigResponse.Types.Status;

namespace VirtioForwarder.Control.Services.Config;

/// <summary>
/// Upstream's config service (docs/control-contract.md §6): any decodable request (the client
/// sends 0 bytes) → OK with the start-up pins of -c by relay; they do not follow UPDATE, the live
/// CPUs are in stats. Undecodable → EBADR.
/// </summary>
public sealed class ConfigService(IRelayControl relays) : ProtobufService<ConfigRequest>(ConfigRequest.Parser)
{
    public override string Name => "config";

    protected override IMessage Undecodable { get; } = new ConfigResponse { Status = Status.Ebadr };

    protected override IMessage Answer(ConfigRequest request, CancellationToken stopping)
    {
        var reply = new ConfigResponse { Status = Status.Ok };
        reply.RelayCpuMap.AddRange(relays.StartupPins.OrderBy(p => p.Relay).Select(p => new RelayCpu
        {
            RelayNumber = p.Relay,
            Vf2VirtioCpu = p.VfToVmCpu,
            Virtio2VfCpu = p.VmToVfCpu,
        }));
        return reply;
    }
}
