using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A QEMU guest on relay 0 of a daemon whose port is a tap inside the test namespace
/// (198.18.0.1/24 there, the guest 198.18.0.2/24), started in the order the socket roles need:
/// a listening daemon before QEMU, a listening QEMU before the daemon (it does not boot the guest
/// until the daemon has connected). Dispose stops the guest, then the daemon.
/// </summary>
public sealed class GuestOnDaemon : IDisposable
{
    public const string Tap = "vfwdtap0";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly NetNamespace _netns;

    private GuestOnDaemon(NetNamespace netns) => _netns = netns;

    public DaemonProcess Daemon { get; private set; } = null!;

    public QemuGuest Guest { get; private set; } = null!;

    public static DaemonConfig Config(TestWorkDir workDir, VhostSocketRole role) =>
        new(workDir) { Role = role, Ports = [DaemonPort.Tap(0, Tap)] };

    /// <param name="deviceOptions">Extra virtio-net-pci properties, e.g. "packed=on".</param>
    public static GuestOnDaemon Start(DaemonConfig config, NetNamespace netns, GuestConfig guest, bool hugepageMemory = false, string? deviceOptions = null)
    {
        var link = new GuestOnDaemon(netns);
        try
        {
            // A connecting QEMU retries (reconnect=1) rather than exiting if the daemon is not there.
            var options = new QemuGuestOptions(config.SocketPath(0))
            {
                Role = config.Role, Reconnect = config.Role == VhostSocketRole.BackendListens, Guest = guest,
                HugepageMemory = hugepageMemory, DeviceOptions = deviceOptions,
            };
            if (config.Role == VhostSocketRole.BackendListens)
                link.StartDaemon(config, "daemon");
            link.Guest = QemuGuest.Start(options, config.WorkDir);
            if (config.Role == VhostSocketRole.FrontendListens)
            {
                SocketFile.WaitFor(options.SocketPath, link.Guest.Process, StartTimeout);
                link.StartDaemon(config, "daemon");
            }
        }
        catch
        {
            link.Dispose();
            throw;
        }
        return link;
    }

    /// <summary>Waits for a GUEST-* line; a failure carries the daemon's log as well as the guest's.</summary>
    public void WaitForSerial(string text, TimeSpan timeout)
    {
        try
        {
            Guest.WaitForSerial(text, timeout);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{e.Message}\ndaemon: {Daemon.Process.LogTail()}", e);
        }
    }

    /// <summary>
    /// For a guest started with WaitSeconds: waits for its own pings to succeed, pings it from the
    /// namespace, lets it exit, stops the daemon cleanly, and checks relay 0 carried both ways at
    /// least three echo requests and three replies (plus ARP). Returns relay 0's stats.
    /// </summary>
    public RelayStats AssertPingsBothWays(NetNamespace netns, TimeSpan timeout)
    {
        WaitForSerial(GuestSerial.PingOk, timeout);
        WaitForSerial(GuestSerial.Waiting, timeout);
        var hostPing = netns.Ping(TestAddresses.GuestIp);
        var relay = Daemon.Stats().Relay(0);
        Assert.True(hostPing.Succeeded, hostPing + Guest.Diagnostics() + Daemon.Process.LogTail());
        Assert.Equal(0, Guest.WaitForExit(timeout));
        Daemon.StopAndAssertCleanExit();

        Assert.True(relay.VmConnected);
        Assert.True(relay.VmToVf.TxPackets >= 6, relay.ToString());
        Assert.True(relay.VfToVm.TxPackets >= 6, relay.ToString());
        return relay;
    }

    /// <summary>
    /// Stops the daemon (asserting a clean exit) and starts a new one with the same
    /// configuration, logging to <paramref name="name"/>.log. Its tap is new: addressed again.
    /// </summary>
    public void RestartDaemon(string name)
    {
        Daemon.StopAndAssertCleanExit();
        Daemon.Dispose();
        StartDaemon(Daemon.Config, name);
    }

    public void Dispose()
    {
        Guest?.Dispose();
        Daemon?.Dispose();
    }

    // Inside the namespace: the daemon creates its tap in its own namespace, or opens the netdev
    // port the test made there (already addressed).
    private void StartDaemon(DaemonConfig config, string name)
    {
        Daemon = DaemonProcess.Start(config, _netns, name);
        if (!config.Ports.Contains(DaemonPort.Tap(0, Tap))) return;
        _netns.WaitForInterface(Tap, StartTimeout);
        _netns.AddAddress(Tap, TestAddresses.HostCidr);
        _netns.SetUp(Tap);
    }
}
