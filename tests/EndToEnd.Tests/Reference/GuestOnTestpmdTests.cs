using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Reference;

/// <summary>
/// Proves the guest side of the harness with real peers and no daemon: a QEMU guest's
/// virtio-net → vhost-user socket → testpmd net_vhost ⇄ net_tap → a tap in the test namespace.
/// </summary>
public sealed class GuestOnTestpmdTests
{
    private const string Tap = "vfwdtap0";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan GuestTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void GuestAndNamespacePingEachOther()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        var socket = workDir.File("vhu.sock");
        // Started inside the namespace, so net_tap creates its tap there.
        using var backend = TestpmdProcess.Start(
            new VhostBackend(socket) { Forward = ForwardMode.Io, HostPort = BackendHostPort.Tap, TapName = Tap },
            workDir, netns, "backend");
        SocketFile.WaitFor(socket, backend.Process, StartTimeout);
        netns.WaitForInterface(Tap, StartTimeout);
        netns.AddAddress(Tap, TestAddresses.HostCidr);
        netns.SetUp(Tap);

        using var guest = QemuGuest.Start(
            new QemuGuestOptions(socket) { Guest = new GuestConfig { WaitSeconds = 2 } }, workDir);
        guest.WaitForSerial(GuestSerial.PingOk, GuestTimeout);
        guest.WaitForSerial(GuestSerial.Waiting, GuestTimeout);
        var hostPing = netns.Ping(TestAddresses.GuestIp);
        var tapCounters = netns.ReadCounters(Tap);

        Assert.True(hostPing.Succeeded, hostPing + guest.Diagnostics());
        Assert.Equal(0, guest.WaitForExit(GuestTimeout));
        // Three echo requests from the host and three replies to the guest left through the tap.
        Assert.True(tapCounters.TxPackets >= 6, $"{tapCounters}; {backend.Process.LogTail()}");
        var totals = backend.Stop();
        Assert.True(totals.PortTotals[0].RxPackets >= 6, backend.Process.LogTail());
    }
}
