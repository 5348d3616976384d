using System.Globalization;
using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A real Linux guest (QEMU TCG) reaches the host side through the daemon: guest virtio-net →
/// daemon relay 0 → tap in the test namespace, and back, with either end listening on the socket,
/// on split rings and on packed ones (virtio-net-pci packed=on).
/// </summary>
public sealed partial class GuestPingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan GuestTimeout = TimeSpan.FromSeconds(60);

    /// <param name="hugepageMemory">Guest RAM on hugetlbfs (2 MiB pages, ./test reserves them) instead of a memfd.</param>
    [Theory]
    [InlineData(VhostSocketRole.BackendListens, false)]
    [InlineData(VhostSocketRole.FrontendListens, false)]
    [InlineData(VhostSocketRole.BackendListens, true)]
    [InlineData(VhostSocketRole.BackendListens, false, true)]
    public void GuestAndNamespacePingEachOther(VhostSocketRole role, bool hugepageMemory, bool packed = false)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        // The guest stays up 2 s after its own pings, for the namespace's.
        using var link = GuestOnDaemon.Start(GuestOnDaemon.Config(workDir, role), netns, new GuestConfig { WaitSeconds = 2 }, hugepageMemory,
            packed ? "packed=on" : null);

        output.WriteLine(link.AssertPingsBothWays(netns, GuestTimeout).ToString());
        var negotiated = NegotiatedFeatures().Match(link.Daemon.Process.LogText);
        Assert.True(negotiated.Success, link.Daemon.Process.LogTail());
        ulong features = ulong.Parse(negotiated.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        Assert.Equal(packed, (features & (1UL << 34)) != 0);   // VIRTIO_F_RING_PACKED
    }

    [GeneratedRegex("negotiated virtio features 0x([0-9a-f]+)")]
    private static partial Regex NegotiatedFeatures();
}
