using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A testpmd virtio_user frontend on one of the daemon's relay sockets, taking the socket role
/// opposite to the daemon's: it connects to a listening daemon and listens (server=1) for a
/// daemon started with -i. It runs interactive, forwarding from the start: a test that counts
/// frames calls <see cref="TestpmdProcess.StopForwarding"/> for testpmd's totals, gives the daemon
/// time to take what is still in the rings, and only then stops testpmd.
/// </summary>
public sealed record FrontendOnRelay(int Relay, ForwardMode Forward, int Queues = 1, bool PackedRing = false, int TxPacketSize = 64)
{
    private static readonly TimeSpan ListenTimeout = TimeSpan.FromSeconds(30);

    public string Name => $"testpmd{Relay}";

    // --no-flush-rx: every frame the daemon delivers counts in testpmd's totals.
    public VirtioUserFrontend Config(DaemonConfig daemon) =>
        new(daemon.SocketPath(Relay)) { Role = daemon.Role, Forward = Forward, Queues = Queues, PackedRing = PackedRing, NoFlushRx = true, Interactive = true,
            TxPacketSize = TxPacketSize };

    /// <summary>
    /// Starts testpmd; as the listener it returns once its socket exists, so that a daemon
    /// started next connects at its first attempt instead of a second later.
    /// </summary>
    public TestpmdProcess Start(DaemonConfig daemon, string? name = null)
    {
        var testpmd = TestpmdProcess.Start(Config(daemon), daemon.WorkDir, name: name ?? Name);
        try
        {
            if (daemon.Role == VhostSocketRole.FrontendListens)
                SocketFile.WaitFor(daemon.SocketPath(Relay), testpmd.Process, ListenTimeout);
            testpmd.StartForwarding();
        }
        catch
        {
            testpmd.Dispose();
            throw;
        }
        return testpmd;
    }
}
