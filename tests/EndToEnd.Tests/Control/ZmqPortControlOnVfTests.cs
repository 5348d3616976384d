using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.EndToEnd.Tests.Daemon;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;
using Pci = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.PciAddress;
using Status = VirtioForwarder.Control.Protobuf.PortControlResponse.Types.Status;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// Port control's success paths against the real daemon (contract §3.2): veths posing as PCI
/// functions (VIRTIOFWD_SYSFS_ROOT) are added to and removed from relays by ADD/REMOVE, and joined
/// with a new socket by ADD_SOCK/REMOVE_SOCK, on a dynamic-socket daemon inside the test namespace.
/// Addresses with a hex letter check our deliberate fix of trap §3.4: ZeroMQ spells them in upper
/// case, sysfs in lower case, and they still match.
/// </summary>
public sealed class ZmqPortControlOnVfTests
{
    private static readonly Pci FunctionA0 = new() { Domain = 0, Bus = 5, Slot = 0xa, Function = 0 };
    private static readonly Pci FunctionA1 = new() { Domain = 0, Bus = 5, Slot = 0xa, Function = 1 };

    private static void AssertOk(PortControlResponse reply) =>
        Assert.True(reply.Status == Status.Ok && !reply.HasErrorCode, reply.ToString());

    [Fact]
    public void Add_remove_add_sock_and_remove_sock_attach_and_detach_vfs()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        string sysfs = workDir.File("sys");
        VethAsPciFunction.Create(netns, sysfs, "0000:05:0a.0");
        VethAsPciFunction.Create(netns, sysfs, "0000:05:0a.1");
        var zmq = new ZmqEndpoints(workDir);
        var config = new DaemonConfig(workDir) { MaxRelays = 4, SysfsRoot = sysfs, ExtraArguments = [.. zmq.Arguments, "-d"] };
        using var daemon = DaemonProcess.Start(config, netns);

        // ADD: relay 1 takes the VF, stored as ZeroMQ spells it; a conditional repeat is a no-op,
        // an unconditional one is 8; REMOVE detaches it.
        AssertOk(zmq.AskPortControl(new() { Op = Op.Add, VirtioId = 1, PciAddrs = { FunctionA0 }, Conditional = false }));
        var relay1 = daemon.Stats().Relay(1);
        Assert.True(relay1 is { Device: "0000:05:0A.0", PortState: "DPDK_ADDED" }, relay1.ToString());
        AssertOk(zmq.AskPortControl(new() { Op = Op.Add, VirtioId = 1, PciAddrs = { FunctionA0 }, Conditional = true }));
        var again = zmq.AskPortControl(new() { Op = Op.Add, VirtioId = 1, PciAddrs = { FunctionA0 }, Conditional = false });
        Assert.True(again.Status == Status.Error && again.ErrorCode == 8, again.ToString());
        AssertOk(zmq.AskPortControl(new() { Op = Op.Remove, VirtioId = 1, PciAddrs = { FunctionA0 }, Conditional = false }));
        relay1 = daemon.Stats().Relay(1);
        Assert.True(relay1 is { Device: null, PortState: "DPDK_UNINIT" }, relay1.ToString());

        // ADD_SOCK: the lowest idle relay (0) gets the VF and a socket at the path; the same device
        // again is −17; QUERY_PCI finds it by path; REMOVE_SOCK takes both away again.
        string path = workDir.File("vm-a.sock");
        AssertOk(zmq.AskPortControl(new() { Op = Op.AddSock, VhostPath = path, PciAddrs = { FunctionA1 }, Conditional = false }));
        var relay0 = daemon.Stats().Relay(0);
        Assert.True(relay0.SocketPath == path && relay0.Device == "0000:05:0A.1" && File.Exists(path), relay0.ToString());
        var duplicate = zmq.AskPortControl(new() { Op = Op.AddSock, VhostPath = workDir.File("vm-b.sock"), PciAddrs = { FunctionA1 }, Conditional = false });
        Assert.True(duplicate.Status == Status.Error && duplicate.ErrorCode == -17, duplicate.ToString());
        Assert.Equal("0000:05:0A.1", zmq.AskPortControl(new() { Op = Op.QueryPci, VhostPath = path }).QueryString);
        AssertOk(zmq.AskPortControl(new() { Op = Op.RemoveSock, VhostPath = path, Conditional = false }));
        relay0 = daemon.Stats().Relay(0);
        Assert.True(relay0 is { SocketPath: null, Device: null } && !File.Exists(path), relay0.ToString());

        daemon.StopAndAssertCleanExit();
    }
}
