using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// The daemon with testpmd virtio_user frontends on some of its relays, started in the order the
/// socket roles need: the listening side first. Dispose stops the frontends, then the daemon;
/// a test that checks the daemon's shutdown calls <see cref="DaemonProcess.StopAndAssertCleanExit"/>
/// itself before that.
/// </summary>
public sealed class DaemonWithFrontends : IDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(30);

    private readonly Dictionary<int, TestpmdProcess> _frontends = [];

    private DaemonWithFrontends()
    {
    }

    public DaemonProcess Daemon { get; private set; } = null!;

    public TestpmdProcess Frontend(int relay) => _frontends[relay];

    /// <summary>Starts everything and waits until every frontend's relay reports its VM connected.</summary>
    public static DaemonWithFrontends Start(DaemonConfig config, params FrontendOnRelay[] frontends) => Start(config, null, frontends);

    /// <summary>As <see cref="Start(DaemonConfig, FrontendOnRelay[])"/>, with the daemon inside <paramref name="netns"/> if given (its netdev ports live there).</summary>
    public static DaemonWithFrontends Start(DaemonConfig config, NetNamespace? netns, params FrontendOnRelay[] frontends)
    {
        var rig = new DaemonWithFrontends();
        try
        {
            if (config.Role == VhostSocketRole.BackendListens)
                rig.Daemon = DaemonProcess.Start(config, netns);
            foreach (var frontend in frontends)
                rig._frontends[frontend.Relay] = frontend.Start(config);
            if (config.Role == VhostSocketRole.FrontendListens)
                rig.Daemon = DaemonProcess.Start(config, netns);
            rig.Daemon.WaitForStats(
                stats => frontends.All(f => stats.Relay(f.Relay).VmConnected), ConnectTimeout, "every frontend connected");
        }
        catch
        {
            rig.Dispose();
            throw;
        }
        return rig;
    }

    public void Dispose()
    {
        foreach (var frontend in _frontends.Values)
            frontend.Dispose();
        Daemon?.Dispose();
    }
}
