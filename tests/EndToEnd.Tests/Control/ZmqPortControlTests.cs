using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;
using Pci = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.PciAddress;
using Status = VirtioForwarder.Control.Protobuf.PortControlResponse.Types.Status;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// Port control against the real daemon over ipc:// (contract §3). No PCI device can be attached
/// on a test machine, so success paths use the daemon's static ports (-P null) and sockets; the
/// PCI paths are checked through their error codes.
/// </summary>
public sealed class ZmqPortControlTests
{
    private static readonly Pci Absent = new() { Domain = 0xffff, Bus = 0xff, Slot = 0x1f, Function = 7 };

    private static void AssertCode(PortControlResponse reply, int code, string source)
    {
        Assert.True(reply.Status == Status.Error && reply.ErrorCode == code && reply.ErrorCodeSource == source,
            $"expected {code} from {source}, got {reply}");
    }

    [Fact]
    public void Requests_on_a_static_socket_daemon_get_upstreams_codes()
    {
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir) { MaxRelays = 4, Ports = [DaemonPort.NullSink(0)], ExtraArguments = zmq.Arguments };
        using var daemon = DaemonProcess.Start(config);

        // QUERY_PCI: the stored device of relay 0, "" for relay 1, 2 for an unknown path.
        Assert.Equal("null", zmq.AskPortControl(new() { Op = Op.QueryPci, VhostPath = config.SocketPath(0) }).QueryString);
        var empty = zmq.AskPortControl(new() { Op = Op.QueryPci, VhostPath = config.SocketPath(1) });
        Assert.True(empty.Status == Status.Ok && empty.HasQueryString && empty.QueryString == "", empty.ToString());
        AssertCode(zmq.AskPortControl(new() { Op = Op.QueryPci, VhostPath = "/nowhere.sock" }), 2, "virtio_query_pci()");

        // ADD: beyond the table 1, on an attached relay 8, a device that does not exist 2.
        AssertCode(zmq.AskPortControl(new() { Op = Op.Add, VirtioId = 64, PciAddrs = { Absent }, Conditional = false }), 1, "virtio_forwarder_add_vf2()");
        AssertCode(zmq.AskPortControl(new() { Op = Op.Add, VirtioId = 0, PciAddrs = { Absent }, Conditional = false }), 8, "virtio_forwarder_add_vf2()");
        AssertCode(zmq.AskPortControl(new() { Op = Op.Add, VirtioId = 2, PciAddrs = { Absent }, Conditional = false }), 2, "virtio_forwarder_add_vf2()");

        // REMOVE: another device 3; an empty relay 4, or OK when conditional.
        AssertCode(zmq.AskPortControl(new() { Op = Op.Remove, VirtioId = 0, PciAddrs = { Absent }, Conditional = true }), 3, "virtio_forwarder_remove_vf2()");
        AssertCode(zmq.AskPortControl(new() { Op = Op.Remove, VirtioId = 3, PciAddrs = { Absent }, Conditional = false }), 4, "virtio_forwarder_remove_vf2()");
        Assert.Equal(Status.Ok, zmq.AskPortControl(new() { Op = Op.Remove, VirtioId = 3, PciAddrs = { Absent }, Conditional = true }).Status);

        // Static sockets: no idle relay for ADD_SOCK (2), a static path is taken (1).
        AssertCode(zmq.AskPortControl(new() { Op = Op.AddSock, VhostPath = workDir.File("new.sock"), PciAddrs = { Absent }, Conditional = false }), 2, "virtio_add_sock_dev_pair()");
        AssertCode(zmq.AskPortControl(new() { Op = Op.AddSock, VhostPath = config.SocketPath(2), PciAddrs = { Absent }, Conditional = false }), 1, "virtio_add_sock_dev_pair()");

        // REMOVE_SOCK by path: relay 0 loses its socket and its null port; relay 3, with no
        // device, loses its socket and then answers 4 to the unconditional request (§3.2 order).
        Assert.Equal(Status.Ok, zmq.AskPortControl(new() { Op = Op.RemoveSock, VhostPath = config.SocketPath(0), Conditional = false }).Status);
        Assert.False(File.Exists(config.SocketPath(0)), "relay 0's socket file is still there");
        AssertCode(zmq.AskPortControl(new() { Op = Op.RemoveSock, VhostPath = config.SocketPath(3), Conditional = false }), 4, "virtio_remove_sock_dev_pair()");
        AssertCode(zmq.AskPortControl(new() { Op = Op.RemoveSock, VhostPath = config.SocketPath(0), Conditional = false }), 1, "virtio_remove_sock_dev_pair()");

        // Relay 0 is idle now: ADD_SOCK picks it, and the device add there fails (3); the path
        // stays free for a second try.
        AssertCode(zmq.AskPortControl(new() { Op = Op.AddSock, VhostPath = workDir.File("new.sock"), PciAddrs = { Absent }, Conditional = false }), 3, "virtio_add_sock_dev_pair()");
        AssertCode(zmq.AskPortControl(new() { Op = Op.QueryPci, VhostPath = workDir.File("new.sock") }), 2, "virtio_query_pci()");

        // Garbage: a bare ERROR, and the daemon lives on.
        var garbage = PortControlResponse.Parser.ParseFrom(ZmqEndpoints.AskBytes(zmq.PortControl, [0xff, 0xff]));
        Assert.True(garbage.Status == Status.Error && !garbage.HasErrorCode, garbage.ToString());
        daemon.StopAndAssertCleanExit();
    }
}
