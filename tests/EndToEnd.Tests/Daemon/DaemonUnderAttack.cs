using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A listening daemon with two relays, both with a null sink: the test attacks relay 0's socket
/// with its own frontend while testpmd txonly keeps relay 1 busy, which must not notice.
/// </summary>
public sealed class DaemonUnderAttack : IDisposable
{
    public const int Target = 0, Bystander = 1;

    private static readonly TimeSpan TrafficTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ProgressTimeout = TimeSpan.FromSeconds(5);

    private readonly DaemonWithFrontends _rig;

    private DaemonUnderAttack(DaemonWithFrontends rig) => _rig = rig;

    public DaemonProcess Daemon => _rig.Daemon;

    public string TargetSocket => Daemon.Config.SocketPath(Target);

    public static DaemonUnderAttack Start(TestWorkDir workDir)
    {
        var config = new DaemonConfig(workDir)
        {
            MaxRelays = 2,
            Ports = [DaemonPort.NullSink(Target), DaemonPort.NullSink(Bystander)],
        };
        var attack = new DaemonUnderAttack(DaemonWithFrontends.Start(config, new FrontendOnRelay(Bystander, ForwardMode.TxOnly)));
        try
        {
            attack.Daemon.WaitForStats(stats => Forwarded(stats) > 0, TrafficTimeout, "traffic on the bystander relay");
        }
        catch
        {
            attack.Dispose();
            throw;
        }
        return attack;
    }

    /// <summary>Asserts that the daemon is alive and relay 1's counters are still growing.</summary>
    public void AssertBystanderStillForwarding(string after)
    {
        var before = Forwarded(Daemon.Stats());
        Daemon.WaitForStats(stats => Forwarded(stats) > before, ProgressTimeout, $"bystander traffic after {after}");
    }

    public void Dispose() => _rig.Dispose();

    private static long Forwarded(DaemonStats stats) => stats.Relay(Bystander).VmToVf.TxPackets;
}
