namespace VirtioForwarder.Control.LegacyPorts;

/// <summary>
/// What an OVSDB Interface row or a file-IPC command asks for: put the netdev <see cref="Netdev"/>
/// on a relay. <see cref="Relay"/> is the relay the requester named (our generalisation:
/// <c>external_ids:virtio_forwarder_relay</c>, or the second word of <c>add_port</c>); null means
/// "derive it from the netdev", as upstream always did (see <see cref="NetdevResolver"/>).
/// </summary>
public sealed record PortIntent(string Netdev, int? Relay = null)
{
    public override string ToString() => Relay is { } r ? $"{Netdev} (relay {r})" : Netdev;
}
