using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Reference;

/// <summary>
/// Proves the testpmd side of the harness with two real peers and no daemon: virtio_user
/// (frontend) → vhost-user socket → net_vhost (DPDK's reference backend).
/// </summary>
public sealed class VirtioUserToVhostTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TrafficTime = TimeSpan.FromSeconds(4);

    [Fact]
    public void TxonlyFrontendDeliversToRxonlyBackend()
    {
        using var workDir = new TestWorkDir();
        var socket = workDir.File("vu.sock");
        using var backend = TestpmdProcess.Start(
            new VhostBackend(socket) { Forward = ForwardMode.RxOnly }, workDir, name: "backend");
        SocketFile.WaitFor(socket, backend.Process, StartTimeout);
        using var frontend = TestpmdProcess.Start(
            new VirtioUserFrontend(socket) { Forward = ForwardMode.TxOnly }, workDir, name: "frontend");
        backend.Process.WaitForOutput(new Regex("virtio is now ready"), StartTimeout);

        Thread.Sleep(TrafficTime);
        // Frontend first, so the backend's totals include everything that was sent.
        var sent = frontend.Stop();
        var received = backend.Stop();

        output.WriteLine($"backend Rx-pps samples: {string.Join(' ', received.Samples.Select(s => s.RxPps))}");
        output.WriteLine($"median {received.MedianRxPps(0) / 1e6:F2} Mpps; sent {sent.PortTotals[0]}; received {received.PortTotals[0]}");
        Assert.True(received.MedianRxPps(0) > 0, backend.Process.LogTail());
        Assert.True(received.PortTotals[0].RxPackets > 0, backend.Process.LogTail());
        Assert.Equal(received.PortTotals[0].RxPackets, received.Accumulated?.RxPackets);
        Assert.True(sent.PortTotals[0].TxPackets >= received.PortTotals[0].RxPackets, frontend.Process.LogTail());
    }
}
