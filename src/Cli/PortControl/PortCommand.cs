using System.CommandLine;
using VirtioForwarder.Control.Protobuf;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;

namespace VirtioForwarder.Cli.PortControl;

/// <summary>
/// <c>vfwdctl port OP</c>: upstream's virtioforwarder_port_control.py (docs/control-contract.md
/// §7.1), one subcommand per operation, upstream's spellings accepted as aliases.
/// </summary>
internal static class PortCommand
{
    public static Command Create() => new("port", "attach and detach devices and vhost-user sockets (port control service)")
    {
        Operation(Op.Add, "add", "attach a device (or a bond) to relay --virtio-id"),
        Operation(Op.Remove, "remove", "detach relay --virtio-id's device"),
        Operation(Op.AddSock, "add-sock", "attach a device to the lowest idle relay and register --vhost-path as its socket", "add_sock"),
        Operation(Op.RemoveSock, "remove-sock", "disconnect, deregister and detach the relay with --vhost-path (or the device)", "remove_sock"),
        Operation(Op.QueryPci, "query", "print the device of the relay with --vhost-path", "query_pci", "query-pci"),
    };

    private static Command Operation(Op op, string name, string description, params string[] aliases)
    {
        var virtioId = new Option<uint?>("--virtio-id") { Description = "relay (virtio id) to act on" };
        var pciAddrs = new Option<string[]>("--pci-addr")
        {
            Description = "PCI address, dddd:bb:ss.f or bb:ss.f; repeat for the members of a bond",
            DefaultValueFactory = _ => [],
        };
        var bondName = new Option<string?>("--name") { Description = "bond name" };
        var mode = new Option<uint>("--mode")
        {
            Description = "bond mode, sent with --name: 0 round-robin, 1 active-backup, 2 balance, 3 broadcast, 4 802.3ad, 5 TLB, 6 ALB",
            DefaultValueFactory = _ => 1,
        };
        mode.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<uint>() > 6)
                result.AddError("--mode must be 0 to 6");
        });
        var vhostPath = new Option<string?>("--vhost-path") { Description = "vhost-user socket path" };
        var conditional = new Option<bool>("--conditional")
        {
            Description = "succeed without change if the relay is already in the asked-for state",
        };
        var endpoint = Endpoints.PortControlOption();
        var command = new Command(name, description) { virtioId, pciAddrs, bondName, mode, vhostPath, conditional, endpoint };
        foreach (string alias in aliases)
            command.Aliases.Add(alias);
        CommandAction.Set(command, result => Run(
            new PortRequest(op, result.GetValue(virtioId), result.GetValue(pciAddrs)!, result.GetValue(bondName),
                result.GetValue(mode), result.GetValue(vhostPath), result.GetValue(conditional)),
            result.GetValue(endpoint)!));
        return command;
    }

    private static int Run(PortRequest request, string endpoint)
    {
        // Built first: a bad PCI address stops the command before anything is sent (§7.1).
        PortControlRequest message = request.ToMessage();
        using var client = new ServiceClient(endpoint);
        var (ok, text) = request.Outcome(client.Request(message, PortControlResponse.Parser));
        if (!ok)
            throw new CliException(text);
        if (text.Length > 0)
            Console.WriteLine(text);
        return 0;
    }
}
