using System.Text.RegularExpressions;
using VirtioForwarder.EndToEnd.Tests.Harness;
using VirtioForwarder.Platform;
using VirtioForwarder.Protocol;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// A frontend that sets up its transmit ring properly and then hands the daemon a malformed
/// descriptor chain: the daemon resets that device (closes the connection) and says why, and
/// nothing else is affected.
/// </summary>
public sealed class MaliciousRingTests
{
    public enum BadChain
    {
        /// <summary>One descriptor whose buffer lies far beyond guest RAM.</summary>
        BufferOutsideGuestMemory,

        /// <summary>A descriptor whose NEXT points at itself.</summary>
        DescriptorLoop,
    }

    private const uint GuestTxQueue = 1;
    private const ulong VersionOne = 1UL << 32, ProtocolFeatures = 1UL << 30;
    private static readonly TimeSpan ResetTimeout = TimeSpan.FromSeconds(2);

    [Theory]
    [InlineData(BadChain.BufferOutsideGuestMemory, "is not in guest memory")]
    [InlineData(BadChain.DescriptorLoop, "a loop")]
    public void MalformedTransmitChainResetsThatDeviceOnly(BadChain chain, string reason)
    {
        using var workDir = new TestWorkDir();
        using var attack = DaemonUnderAttack.Start(workDir);
        using var ram = new GuestRingInMemfd();
        using var kick = EventFd.Create();
        using var frontend = Frontend.Connect(attack.TargetSocket);
        frontend.SetFeatures(VersionOne | ProtocolFeatures);
        frontend.SetMemTable([ram.Region], [ram.Fd]);
        frontend.SetVringNum(GuestTxQueue, GuestRingInMemfd.QueueSize);
        frontend.SetVringAddr(ram.Address(GuestTxQueue));
        frontend.SetVringBase(GuestTxQueue, 0);
        frontend.SetVringKick(GuestTxQueue, kick.Fd);
        // With PROTOCOL_FEATURES the ring starts disabled until this.
        frontend.SetVringEnable(GuestTxQueue, true);
        // A round trip: everything before it has been handled, the ring is live.
        Assert.NotEqual(0UL, frontend.GetFeatures());
        var logFrom = attack.Daemon.Process.LineCount;

        if (chain == BadChain.BufferOutsideGuestMemory)
            ram.WriteDescriptor(0, gpa: 1UL << 48, length: 64, next: null);
        else
            ram.WriteDescriptor(0, GuestRingInMemfd.BufferGpa, length: 64, next: 0);
        ram.MakeAvailable(0);
        kick.Signal();

        Assert.True(frontend.WaitForClose(ResetTimeout), $"the daemon kept the connection; {attack.Daemon.Process.LogTail()}");
        attack.Daemon.Process.WaitForOutput(
            new Regex($@"virtio-forwarder{DaemonUnderAttack.Target}\.sock: malformed ring: queue {GuestTxQueue}: .*{Regex.Escape(reason)}"),
            ResetTimeout, logFrom);
        attack.AssertBystanderStillForwarding("the reset");
        attack.Daemon.StopAndAssertCleanExit();
    }
}
