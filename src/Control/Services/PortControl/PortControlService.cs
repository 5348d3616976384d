using Google.Protobuf;
using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Platform;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;
using Status = VirtioForwarder.Control.Protobuf.PortControlResponse.Types.Status;

namespace VirtioForwarder.Control.Services.PortControl;

/// <summary>
/// Upstream's port-control service (docs/control-contract.md §3): PortControlRequest →
/// PortControlResponse. A request that does not decode, fails validation or names an unknown op
/// gets ERROR with no error_code; a dispatched operation gets OK for code 0, otherwise ERROR with
/// the code and the upstream routine's name.
/// </summary>
public sealed class PortControlService : ProtobufService<PortControlRequest>
{
    /// <summary>Upstream's request buffer holds 8 addresses (MAX_NUM_BOND_SLAVES) and overflows past them.</summary>
    private const int MaxAddresses = 8;

    /// <summary>The bond mode when a request names a bond but no mode: active-backup (§3.1 step 5).</summary>
    private const uint DefaultBondMode = 1;

    private readonly RelayDevices _devices;
    private readonly SocketPairs _sockets;

    public PortControlService(IRelayControl relays) : base(PortControlRequest.Parser)
    {
        _devices = new RelayDevices(relays);
        _sockets = new SocketPairs(_devices);
    }

    public override string Name => "port control";

    protected override IMessage Undecodable => BareError;

    /// <summary>ERROR and nothing else: undecodable, invalid, or an unknown op (§3.1).</summary>
    private static PortControlResponse BareError => new() { Status = Status.Error };

    protected override IMessage Answer(PortControlRequest r, CancellationToken stopping)
    {
        if (Invalid(r) is { } reason)
        {
            Log.Warning($"PortControlRequest: {reason}");
            return BareError;
        }
        if (r.HasVirtioId && r.Op is Op.AddSock or Op.RemoveSock)
            Log.Warning("The virtio id will be ignored for socket pair operations.");
        Log.Info($"PortControlRequest: {r}");
        return Dispatch(r);
    }

    /// <summary>§3.1 step 2: any of these and nothing is done.</summary>
    private static string? Invalid(PortControlRequest r)
    {
        int count = r.PciAddrs.Count;
        if (r.HasName && r.Op is Op.Add or Op.AddSock && count < 2)
            return "a bond needs at least 2 PCI addresses";
        if (!r.HasName && count > 1)
            return "several PCI addresses make a bond, which needs a name";
        if (count > MaxAddresses)
            return $"a bond has at most {MaxAddresses} members";
        if (r.Op is Op.Add or Op.Remove && !r.HasVirtioId)
            return "add and remove operations need a virtio id";
        if (r.Op == Op.QueryPci && !r.HasVhostPath)
            return "a PCI query needs a vhost-user socket path";
        return null;
    }

    private PortControlResponse Dispatch(PortControlRequest r)
    {
        var addresses = r.PciAddrs.Select(DeviceKey.Of).ToArray();
        // proto2 getters return the declared default when the field is absent: conditional is true.
        bool conditional = r.Conditional;
        uint mode = r.HasMode ? r.Mode : DefaultBondMode;
        string? path = r.HasVhostPath ? r.VhostPath : null;
        // REMOVE and REMOVE_SOCK name the device by its one address, else by the bond name, else "".
        string removeKey = addresses.Length == 1 ? addresses[0] : r.HasName ? r.Name : "";
        switch (r.Op)
        {
            case Op.Add when addresses.Length == 1:
                return Outcome(RelayDevices.AddSource, _devices.Add(addresses[0], r.VirtioId, conditional));
            case Op.Add when addresses.Length > 1:
                return Outcome(RelayDevices.BondAddSource, _devices.AddBond(r.Name, addresses, mode, r.VirtioId));
            case Op.Add:
                Log.Warning("a port add request names no PCI address");
                return BareError;
            case Op.Remove:
                return Outcome(RelayDevices.RemoveSource, _devices.Remove(removeKey, r.VirtioId, conditional));
            case Op.AddSock:
                return Outcome(SocketPairs.AddSource, _sockets.Add(path, addresses, r.HasName ? r.Name : null, mode, conditional));
            case Op.RemoveSock:
                return Outcome(SocketPairs.RemoveSource, _sockets.Remove(path, removeKey, conditional));
            case Op.QueryPci:
                return _sockets.Query(path!) is { } device
                    ? new PortControlResponse { Status = Status.Ok, QueryString = device }
                    : Outcome(SocketPairs.QuerySource, 2);
            default:
                Log.Error($"unhandled PortControlRequest.Op {(int)r.Op}");
                return BareError;
        }
    }

    private static PortControlResponse Outcome(string source, int code) => code == 0
        ? new PortControlResponse { Status = Status.Ok }
        : new PortControlResponse { Status = Status.Error, ErrorCode = code, ErrorCodeSource = source };
}
