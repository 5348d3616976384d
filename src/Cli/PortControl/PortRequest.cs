using VirtioForwarder.Control.Protobuf;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;

namespace VirtioForwarder.Cli.PortControl;

/// <summary>What <c>vfwdctl port</c> was asked to do.</summary>
internal sealed record PortRequest(
    Op Op, uint? VirtioId, IReadOnlyList<string> PciAddresses, string? Name, uint Mode, string? VhostPath, bool Conditional)
{
    /// <summary>
    /// The request exactly as upstream's client builds it (docs/control-contract.md §7.1):
    /// virtio_id only when given, conditional always (false unless asked for), mode whenever a
    /// bond name is given.
    /// </summary>
    public PortControlRequest ToMessage()
    {
        var message = new PortControlRequest { Op = Op, Conditional = Conditional };
        if (VirtioId is uint id)
            message.VirtioId = id;
        message.PciAddrs.AddRange(PciAddresses.Select(PciAddressParser.Parse));
        if (Name is not null)
        {
            message.Name = Name;
            message.Mode = Mode;
        }
        if (VhostPath is not null)
            message.VhostPath = VhostPath;
        return message;
    }

    /// <summary>
    /// What to tell the operator about <paramref name="reply"/>: the query string on success
    /// (empty when there is none, §3.4), or an error line with the code's meaning.
    /// </summary>
    public (bool Ok, string Text) Outcome(PortControlResponse reply)
    {
        if (reply.Status == PortControlResponse.Types.Status.Ok)
            return (true, reply.QueryString);
        if (!reply.HasErrorCode)
            return (false, PortErrorMeanings.Refused);
        string meaning = PortErrorMeanings.Describe(reply.ErrorCodeSource, reply.ErrorCode, VirtioId);
        return (false, $"error {reply.ErrorCode}: {meaning} ({reply.ErrorCodeSource})");
    }
}
