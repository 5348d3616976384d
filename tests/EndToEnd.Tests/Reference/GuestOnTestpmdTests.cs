using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Reference;

/// <summary>
/// Proves the guest side of the harness with real peers and no daemon: a QEMU guest's
/// virtio-net → vhost-user socket → testpmd net_vhost ⇄ net_tap → a tap in the test namespace,
/// with either end listening on the socket.
/// </summary>
public sealed class GuestOnTestpmdTests
{
    private const string Tap = "vfwdtap0";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan GuestTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void GuestConnectsToListeningBackend()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        var socket = workDir.File("vhu.sock");
        using var backend = StartBackend(new VhostBackend(socket), workDir, netns);
        SocketFile.WaitFor(socket, backend.Process, StartTimeout);
        ConfigureTap(netns);
        using var guest = QemuGuest.Start(GuestOptions(socket), workDir);

        AssertPingsBothWays(netns, guest, backend);
    }

    [Fact]
    public void BackendConnectsToListeningGuest()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        var socket = workDir.File("vhu.sock");
        // QEMU does not boot the guest until the backend has connected, so the tap is configured
        // well before the guest pings.
        using var guest = QemuGuest.Start(GuestOptions(socket) with { Role = VhostSocketRole.FrontendListens }, workDir);
        SocketFile.WaitFor(socket, guest.Process, StartTimeout);
        using var backend = StartBackend(new VhostBackend(socket) { Role = VhostSocketRole.FrontendListens }, workDir, netns);
        ConfigureTap(netns);

        AssertPingsBothWays(netns, guest, backend);
    }

    // Inside the namespace, so that net_tap creates its tap there.
    private static TestpmdProcess StartBackend(VhostBackend config, TestWorkDir workDir, NetNamespace netns) =>
        TestpmdProcess.Start(
            config with { Forward = ForwardMode.Io, HostPort = BackendHostPort.Tap, TapName = Tap },
            workDir, netns, "backend");

    private static void ConfigureTap(NetNamespace netns)
    {
        netns.WaitForInterface(Tap, StartTimeout);
        netns.AddAddress(Tap, TestAddresses.HostCidr);
        netns.SetUp(Tap);
    }

    // The guest stays up 2 s after its own pings, for the namespace's.
    private static QemuGuestOptions GuestOptions(string socket) =>
        new(socket) { Guest = new GuestConfig { WaitSeconds = 2 } };

    private static void AssertPingsBothWays(NetNamespace netns, QemuGuest guest, TestpmdProcess backend)
    {
        guest.WaitForSerial(GuestSerial.PingOk, GuestTimeout);
        guest.WaitForSerial(GuestSerial.Waiting, GuestTimeout);
        var hostPing = netns.Ping(TestAddresses.GuestIp);
        var tapCounters = netns.ReadCounters(Tap);

        Assert.True(hostPing.Succeeded, hostPing + guest.Diagnostics());
        Assert.Equal(0, guest.WaitForExit(GuestTimeout));
        // Three echo requests and three echo replies each way: out of the tap into testpmd's port 1,
        // out of the guest into its port 0.
        Assert.True(tapCounters.TxPackets >= 6, $"{tapCounters}; {backend.Process.LogTail()}");
        var totals = backend.Stop();
        Assert.True(totals.PortTotals[1].RxPackets >= 6, backend.Process.LogTail());
        Assert.True(totals.PortTotals[0].RxPackets >= 6, backend.Process.LogTail());
    }
}
