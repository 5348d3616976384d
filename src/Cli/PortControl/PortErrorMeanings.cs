namespace VirtioForwarder.Cli.PortControl;

/// <summary>
/// What each port control error code means, per the routine the daemon names in
/// error_code_source (docs/control-contract.md §3.2). "{relay}" stands for the request's relay.
/// </summary>
internal static class PortErrorMeanings
{
    public const string AddVf = "virtio_forwarder_add_vf2()";
    public const string AddBond = "virtio_forwarder_bond_add()";
    public const string Remove = "virtio_forwarder_remove_vf2()";
    public const string AddSock = "virtio_add_sock_dev_pair()";
    public const string RemoveSock = "virtio_remove_sock_dev_pair()";
    public const string QueryPci = "virtio_query_pci()";

    private const string OutOfRange = "{relay} is out of range (relays are 0-63)";

    private static readonly Dictionary<(string Source, int Code), string> Table = new()
    {
        [(AddVf, 1)] = OutOfRange + ", or its VM is connected and the device would not start",
        [(AddVf, 2)] = "the PCI device could not be probed or attached",
        [(AddVf, 4)] = "configuring the device or its MTU failed",
        [(AddVf, 5)] = "setting up the device's RX queue failed",
        [(AddVf, 6)] = "setting up the device's TX queue failed",
        [(AddVf, 8)] = "{relay} already has another device",
        [(AddVf, -1)] = "allocating the relay's packet buffers failed",

        [(AddBond, 1)] = OutOfRange,
        [(AddBond, 2)] = "creating the bond failed",
        [(AddBond, 3)] = "a bond member is already in use as a port",
        [(AddBond, 4)] = "configuring the bond failed",
        [(AddBond, 5)] = "a bond member could not be attached",
        [(AddBond, 6)] = "starting the bond failed",
        [(AddBond, 8)] = "{relay} already has a device or bond (conditional does not apply to bonds)",
        [(AddBond, -1)] = "the daemon was built without bonding support",

        [(Remove, 1)] = OutOfRange,
        [(Remove, 2)] = "detaching the device failed",
        [(Remove, 3)] = "{relay} has a different device attached",
        [(Remove, 4)] = "{relay} has no device attached (use --conditional to accept that)",
        [(Remove, 5)] = "timed out waiting for {relay}'s workers to let go of the device",

        [(AddSock, -1)] = "no --vhost-path given",
        [(AddSock, -17)] = "the device is already in use as a port",
        [(AddSock, 1)] = "the vhost-user path is already registered on a relay",
        [(AddSock, 2)] = "no idle relay is left (in static-socket mode there never is one)",
        [(AddSock, 3)] = "attaching the device to the chosen relay failed",
        [(AddSock, 4)] = "attaching the bond to the chosen relay failed",
        [(AddSock, 5)] = "registering the vhost-user socket failed; the device was detached again",

        [(RemoveSock, -1)] = "neither --vhost-path nor a device was given",
        [(RemoveSock, 1)] = "no relay has that vhost-user path or device",
        [(RemoveSock, 2)] = "the relay's device is not the one given",
        [(RemoveSock, 3)] = "deregistering the vhost-user socket failed",
        [(RemoveSock, 4)] = "the socket is gone but removing the relay's device failed (it had none? use --conditional)",

        [(QueryPci, 2)] = "no relay has that vhost-user path",
    };

    /// <summary>The meaning of <paramref name="code"/> from <paramref name="source"/>, naming <paramref name="virtioId"/> if known.</summary>
    public static string Describe(string source, int code, uint? virtioId)
    {
        string meaning = Table.TryGetValue((source, code), out string? known) ? known : "unknown error code";
        return meaning.Replace("{relay}", virtioId is uint id ? $"relay {id}" : "the relay", StringComparison.Ordinal);
    }

    /// <summary>An ERROR reply without a code: the daemon refused the request before acting on it (§3.1).</summary>
    public const string Refused =
        "the daemon refused the request as invalid (add needs a --pci-addr, a bond needs --name and at least two --pci-addr, " +
        "several --pci-addr need --name, add and remove need --virtio-id, query needs --vhost-path)";
}
