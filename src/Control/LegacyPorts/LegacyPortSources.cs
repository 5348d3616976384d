using VirtioForwarder.Control.FileIpc;
using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Ovsdb;

namespace VirtioForwarder.Control.LegacyPorts;

/// <summary>
/// Upstream's port control when -Z is absent (contract §8.4): -I reads commands from a file,
/// otherwise the OVSDB monitor watches -O's socket. Both end in conditional adds and removes of
/// netdevs on relays of <paramref name="relays"/>, mapped by <see cref="NetdevResolver"/>.
/// </summary>
public static class LegacyPortSources
{
    public static IDisposable StartFileIpc(IRelayControl relays) =>
        new FileIpcMonitor(FileIpcMonitor.PathFromEnvironment(), Control(relays).Apply);

    public static IDisposable StartOvsdb(IRelayControl relays, string socketPath) =>
        new OvsdbMonitor(socketPath, Control(relays).Apply);

    private static LegacyPortControl Control(IRelayControl relays) => new(relays, NetdevResolver.ForHost());
}
