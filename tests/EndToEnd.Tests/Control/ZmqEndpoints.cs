using Google.Protobuf;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Zmq;
using VirtioForwarder.EndToEnd.Tests.Harness;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// The daemon's four ZeroMQ services on ipc:// files in the test's work folder, the options that
/// enable them (values attached, as upstream's parser needs, contract §8), and a REQ client.
/// </summary>
public sealed record ZmqEndpoints(TestWorkDir WorkDir)
{
    private const int ReplyTimeoutMs = 10_000;

    public string PortControl => $"ipc://{WorkDir.File("port_control")}";
    public string Stats => $"ipc://{WorkDir.File("stats")}";
    public string CoreSched => $"ipc://{WorkDir.File("core_sched")}";
    public string Config => $"ipc://{WorkDir.File("config")}";

    /// <summary>All four; -s alone would also enable stats, -z names its endpoint.</summary>
    public IReadOnlyList<string> Arguments =>
        [$"-Z{PortControl}", $"-z{Stats}", $"-s{CoreSched}", $"-Y{Config}"];

    /// <summary>One port-control request and its reply (contract §3).</summary>
    public PortControlResponse AskPortControl(PortControlRequest request) =>
        Ask(PortControl, request, PortControlResponse.Parser);

    /// <summary>
    /// Port control ADDs bond <paramref name="name"/> of <paramref name="members"/> in DPDK mode
    /// <paramref name="mode"/> to relay 0, and waits until the relay has it.
    /// </summary>
    public void AttachBond(DaemonProcess daemon, string name, uint mode, params PortControlRequest.Types.PciAddress[] members)
    {
        var reply = AskPortControl(new() { Op = PortControlRequest.Types.Op.Add, VirtioId = 0, PciAddrs = { members }, Name = name, Mode = mode, Conditional = false });
        Assert.True(reply.Status == PortControlResponse.Types.Status.Ok, reply.ToString());
        daemon.WaitForStats(stats => stats.Relay(0).PortState == "DPDK_READY", TimeSpan.FromSeconds(30), "the bond attached");
    }

    /// <summary>One request, one reply, on a fresh REQ socket as each upstream client uses.</summary>
    public static T Ask<T>(string endpoint, IMessage request, MessageParser<T> parser) where T : IMessage<T>
    {
        var message = parser.ParseFrom(AskBytes(endpoint, request.ToByteArray()));
        Assert.True(message.IsInitialized(), $"reply from {endpoint} lacks a required field: {message}");
        return message;
    }

    public static byte[] AskBytes(string endpoint, byte[] request)
    {
        using var client = new ZmqRequestSocket(endpoint, ReplyTimeoutMs);
        client.Send(request);
        Assert.True(client.TryReceive(out byte[] reply), $"no reply from {endpoint} within {ReplyTimeoutMs} ms");
        return reply;
    }
}
