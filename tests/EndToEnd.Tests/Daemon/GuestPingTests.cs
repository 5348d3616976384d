using VirtioForwarder.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A real Linux guest (QEMU TCG) reaches the host side through the daemon: guest virtio-net →
/// daemon relay 0 → tap in the test namespace, and back, with either end listening on the socket.
/// </summary>
public sealed class GuestPingTests(ITestOutputHelper output)
{
    private static readonly TimeSpan GuestTimeout = TimeSpan.FromSeconds(60);

    /// <param name="hugepageMemory">Guest RAM on hugetlbfs (2 MiB pages, ./test reserves them) instead of a memfd.</param>
    [Theory]
    [InlineData(VhostSocketRole.BackendListens, false)]
    [InlineData(VhostSocketRole.FrontendListens, false)]
    [InlineData(VhostSocketRole.BackendListens, true)]
    public void GuestAndNamespacePingEachOther(VhostSocketRole role, bool hugepageMemory)
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        // The guest stays up 2 s after its own pings, for the namespace's.
        using var link = GuestOnDaemon.Start(GuestOnDaemon.Config(workDir, role), netns, new GuestConfig { WaitSeconds = 2 }, hugepageMemory);

        output.WriteLine(link.AssertPingsBothWays(netns, GuestTimeout).ToString());
    }
}
