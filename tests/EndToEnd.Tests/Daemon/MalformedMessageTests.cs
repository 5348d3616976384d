using System.Runtime.InteropServices;
using VirtioForwarder.EndToEnd.Tests.Harness;
using VirtioForwarder.Protocol;
using Xunit.Abstractions;

namespace VirtioForwarder.EndToEnd.Tests.Daemon;

/// <summary>
/// Garbage on a vhost-user socket ends that connection only: the daemon lives on, other relays
/// keep forwarding, and the socket takes a proper frontend afterwards.
/// </summary>
public sealed class MalformedMessageTests(ITestOutputHelper output)
{
    // A message the daemon must reject may still make it wait for the rest of a payload; it
    // gives up on a partial message after a second.
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(3);

    private const uint Version = 1; // the flags of every vhost-user message

    /// <summary>One bad message per connection, each named for the assertion messages.</summary>
    private static readonly (string Name, byte[] Bytes)[] BadMessages =
    [
        ("64 random bytes", RandomBytes(64)),
        ("a header announcing a 1 MiB payload", Message(FrontendRequest.GetFeatures, 1 << 20, [])),
        ("an unknown request id", Message((FrontendRequest)9999, 0, [])),
        ("SET_MEM_TABLE claiming 40 regions", MemTableClaiming(40)),
        ("SET_VRING_NUM 3 (not a power of two)", Message(FrontendRequest.SetVringNum, 8, VringState(0, 3))),
    ];

    [Fact]
    public void EachBadMessageEndsItsConnectionOnly()
    {
        using var workDir = new TestWorkDir();
        using var attack = DaemonUnderAttack.Start(workDir);

        foreach (var (name, bytes) in BadMessages)
        {
            var logFrom = attack.Daemon.Process.LineCount;
            using var frontend = Frontend.Connect(attack.TargetSocket);
            frontend.SendRaw(bytes, []);
            Assert.True(frontend.WaitForClose(CloseTimeout), $"the daemon kept the connection after {name}; {attack.Daemon.Process.LogTail()}");
            attack.AssertBystanderStillForwarding(name);
            // What the daemon made of it, for the record.
            output.WriteLine($"{name}: {string.Join(" | ", attack.Daemon.Process.LogText.Split('\n').Skip(logFrom))}");
        }

        using (var proper = Frontend.Connect(attack.TargetSocket))
            Assert.NotEqual(0UL, proper.GetFeatures());
        attack.Daemon.StopAndAssertCleanExit();
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(20240601).NextBytes(bytes);
        return bytes;
    }

    /// <summary>A header saying <paramref name="payloadSize"/>, followed by <paramref name="payload"/> as it is.</summary>
    private static byte[] Message(FrontendRequest request, uint payloadSize, ReadOnlySpan<byte> payload)
    {
        var header = new MessageHeader { Request = request, Flags = Version, PayloadSize = payloadSize };
        return [.. MemoryMarshal.AsBytes(new ReadOnlySpan<MessageHeader>(in header)), .. payload];
    }

    /// <summary>A well-sized SET_MEM_TABLE whose region count is above what vhost-user allows, without fds.</summary>
    private static byte[] MemTableClaiming(uint regions)
    {
        var payload = new byte[8 + regions * MemoryRegion.Size];
        MemoryMarshal.Write(payload, regions);
        return Message(FrontendRequest.SetMemTable, (uint)payload.Length, payload);
    }

    private static byte[] VringState(uint index, uint num)
    {
        var state = new VringState { Index = index, Num = num };
        return MemoryMarshal.AsBytes(new ReadOnlySpan<VringState>(in state)).ToArray();
    }
}
