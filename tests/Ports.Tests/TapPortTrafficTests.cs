using VirtioForwarder.Platform;
using VirtioForwarder.Ports.Tests.Support;
using static VirtioForwarder.Ports.Tests.Support.TestFrames;

namespace VirtioForwarder.Ports.Tests;

/// <summary>A real tap, moved into a namespace of the test's own, exchanging frames with that namespace's kernel.</summary>
public unsafe class TapPortTrafficTests : KernelPeerTrafficTests
{
    protected override IKernelPeerLab CreateLab() => TapInNamespace.Create();

    [Fact]
    public void AFrameTheKernelRefusesCountsAsAnErrorWithoutStoppingTheBatch()
    {
        using var lab = TapInNamespace.Create();
        long packetsBefore = lab.Namespace.ReadCounter(lab.Interface, "rx_packets");
        var frames = new Frame[3];
        Assert.Equal(3, lab.Port.AcquireTx(frames));
        var request = ArpRequestForKernel();
        foreach (int i in (int[])[0, 2])
        {
            request.CopyTo(new Span<byte>(frames[i].Data, frames[i].Capacity));
            frames[i].Length = request.Length;
        }
        frames[1].Length = 10; // shorter than an Ethernet header

        Assert.Equal(3, lab.Port.Transmit(frames, 3));

        Assert.Equal(1, lab.Port.TxErrors);
        Assert.Equal(packetsBefore + 2, lab.Namespace.ReadCounter(lab.Interface, "rx_packets"));
    }

    [Fact]
    public void ClosingThePortRemovesTheTap()
    {
        using var lab = TapInNamespace.Create();
        Assert.True(lab.Namespace.Ip("link", "show", lab.Interface).Succeeded);

        lab.Port.Dispose();

        Assert.False(HostProcess.Run("ip", "-n", lab.Namespace.Name, "link", "show", lab.Interface).Succeeded);
    }
}
