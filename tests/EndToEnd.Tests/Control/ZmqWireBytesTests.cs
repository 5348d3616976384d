using System.Text;
using Google.Protobuf;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Tests.Protobuf;
using VirtioForwarder.Control.Zmq;
using VirtioForwarder.EndToEnd.Tests.Daemon;
using VirtioForwarder.EndToEnd.Tests.Harness;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;
using Pci = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.PciAddress;

namespace VirtioForwarder.EndToEnd.Tests.Control;

/// <summary>
/// The real daemon's four ZeroMQ services, asked over ipc:// by a raw libzmq REQ client: the
/// contract's test vectors (§2.5) and the error replies of §3–6 compared byte for byte, and
/// 1,000 random or truncated frames per service, each answered, with the daemon alive after.
/// </summary>
public sealed class ZmqWireBytesTests
{
    private const int FuzzFrames = 1000;
    private const int ReplyTimeoutMs = 10_000;

    private static readonly Pci Function2 = new() { Domain = 0, Bus = 5, Slot = 8, Function = 2 };
    private static readonly Pci Function3 = new() { Domain = 0, Bus = 5, Slot = 8, Function = 3 };
    private static readonly Pci Function4 = new() { Domain = 0, Bus = 5, Slot = 8, Function = 4 };

    [Fact]
    public void Vectors_and_error_replies_match_upstreams_bytes()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        var zmq = new ZmqEndpoints(workDir);
        using var daemon = StartWithFunctions(workDir, netns, "-c0:1,1");
        var config = daemon.Config;
        string addVf = Ascii("virtio_forwarder_add_vf2()"), addSock = Ascii("virtio_add_sock_dev_pair()");

        // §2.5: the port control client's add, then the same unconditionally again (8, §7.1).
        string addVector = "08 00 12 08 08 00 10 05 18 08 20 02 18 01 20 00";
        Assert.Equal("20 01", Ask(zmq.PortControl, addVector));
        Assert.Equal("0000:05:08.2", daemon.Stats().Relay(1).Device);
        Assert.Equal("20 00 28 08 32 1a " + addVf, Ask(zmq.PortControl, addVector));

        // ADD_SOCK: the device in use is −17, a ten-byte varint (§2.5); no vhost_path is −1.
        Assert.Equal("20 00 28 ef ff ff ff ff ff ff ff ff 01 32 1a " + addSock,
            Ask(zmq.PortControl, new PortControlRequest { Op = Op.AddSock, PciAddrs = { Function2 }, VhostPath = workDir.File("vm-a.sock"), Conditional = false }));
        Assert.Equal("20 00 28 ff ff ff ff ff ff ff ff ff 01 32 1a " + addSock,
            Ask(zmq.PortControl, new PortControlRequest { Op = Op.AddSock, PciAddrs = { Function3 }, Conditional = false }));
        // REMOVE_SOCK naming another device than the relay of that path holds: 2.
        Assert.Equal("20 00 28 02 32 1d " + Ascii("virtio_remove_sock_dev_pair()"),
            Ask(zmq.PortControl, new PortControlRequest { Op = Op.RemoveSock, PciAddrs = { Function3 }, VhostPath = config.SocketPath(1), Conditional = false }));

        // A bond (§3.2): added under its name, reported by QUERY_PCI, 8 when repeated whatever
        // conditional says, removed by its name.
        var bond = new PortControlRequest { Op = Op.Add, VirtioId = 2, PciAddrs = { Function3, Function4 }, Name = "bond_b", Conditional = true };
        Assert.Equal("20 01", Ask(zmq.PortControl, bond));
        Assert.Equal("20 01 3a 06 " + Ascii("bond_b"), Ask(zmq.PortControl, new PortControlRequest { Op = Op.QueryPci, VhostPath = config.SocketPath(2) }));
        Assert.Equal("20 00 28 08 32 1b " + Ascii("virtio_forwarder_bond_add()"), Ask(zmq.PortControl, bond));
        Assert.Equal("20 01", Ask(zmq.PortControl, new PortControlRequest { Op = Op.Remove, VirtioId = 2, Name = "bond_b", Conditional = false }));

        // Validation failures and unknown ops: ERROR with no code (§3.1).
        Assert.Equal("20 00", Ask(zmq.PortControl, new PortControlRequest { Op = Op.Remove, PciAddrs = { Function2 } }));
        Assert.Equal("20 00", Ask(zmq.PortControl, new PortControlRequest { Op = Op.QueryPci }));
        Assert.Equal("20 00", Ask(zmq.PortControl, "08 09"));

        // Stats (§2.5, §4.1): the stats client's and the core pinner's requests find no active
        // relay; more than 64 ids are E2BIG; garbage is EBADR.
        Assert.Equal("08 00", Ask(zmq.Stats, "10 00 18 c8 01"));
        Assert.Equal("08 00", Ask(zmq.Stats, "10 00"));
        var tooMany = new StatsRequest();
        tooMany.Relay.AddRange(Enumerable.Range(0, 65).Select(i => (uint)i));
        Assert.Equal("08 9d 03", Ask(zmq.Stats, tooMany));
        Assert.Equal("08 90 03", Ask(zmq.Stats, "ff"));

        // Core scheduler (§2.5, §5): the worker CPU of -C1, one tag per core; an empty UPDATE is a bare ERROR.
        Assert.Equal("20 01 38 01", Ask(zmq.CoreSched, "08 01"));
        Assert.Equal("20 00", Ask(zmq.CoreSched, "08 00"));
        var update = new CoreSchedRequest { Op = CoreSchedRequest.Types.Op.Update };
        update.RelayCpuMap.Add(new CoreSchedRequest.Types.RelayCPU { RelayNumber = 1, Vf2VirtioCpu = 1, Virtio2VfCpu = 1 });
        Assert.Equal("20 01", Ask(zmq.CoreSched, update));

        // Config (§2.5, §6): the empty request; the -c pin of start-up, every required field on the wire.
        Assert.Equal("08 00 2a 06 08 00 10 01 18 01", Ask(zmq.Config, ""));
        Assert.Equal("08 90 03", Ask(zmq.Config, "12 05"));
        daemon.StopAndAssertCleanExit();
    }

    [Fact]
    public void Socket_pair_and_bond_failures_on_a_dynamic_socket_daemon_get_upstreams_codes()
    {
        using var workDir = new TestWorkDir();
        using var netns = NetNamespace.Create();
        var zmq = new ZmqEndpoints(workDir);
        using var daemon = StartWithFunctions(workDir, netns, "-d");
        string addSock = Ascii("virtio_add_sock_dev_pair()"), bondAdd = Ascii("virtio_forwarder_bond_add()");
        var absent = new Pci { Domain = 0, Bus = 5, Slot = 8, Function = 7 };

        // ADD_SOCK whose socket cannot be made (no such directory): 5, and the device is let go again.
        Assert.Equal("20 00 28 05 32 1a " + addSock, Ask(zmq.PortControl,
            new PortControlRequest { Op = Op.AddSock, PciAddrs = { Function2 }, VhostPath = workDir.File("absent/vm.sock"), Conditional = false }));
        var relay0 = daemon.Stats().Relay(0);
        Assert.True(relay0 is { Device: null, SocketPath: null }, relay0.ToString());
        string vmA = workDir.File("vm-a.sock");
        Assert.Equal("20 01", Ask(zmq.PortControl, new PortControlRequest { Op = Op.AddSock, PciAddrs = { Function2 }, VhostPath = vmA, Conditional = false }));
        // A bond whose member does not exist: 4 from ADD_SOCK; 5 from ADD.
        Assert.Equal("20 00 28 04 32 1a " + addSock, Ask(zmq.PortControl,
            new PortControlRequest { Op = Op.AddSock, PciAddrs = { Function3, absent }, Name = "bond_c", VhostPath = workDir.File("vm-c.sock"), Conditional = false }));
        Assert.Equal("20 00 28 05 32 1b " + bondAdd, Ask(zmq.PortControl,
            new PortControlRequest { Op = Op.Add, VirtioId = 1, PciAddrs = { Function3, absent }, Name = "bond_c" }));
        // A member that is relay 0's device: 3; a mode DPDK does not have: 2.
        Assert.Equal("20 00 28 03 32 1b " + bondAdd, Ask(zmq.PortControl,
            new PortControlRequest { Op = Op.Add, VirtioId = 1, PciAddrs = { Function2, Function3 }, Name = "bond_c" }));
        Assert.Equal("20 00 28 02 32 1b " + bondAdd, Ask(zmq.PortControl,
            new PortControlRequest { Op = Op.Add, VirtioId = 1, PciAddrs = { Function3, Function4 }, Name = "bond_c", Mode = 7 }));
        // REMOVE_SOCK with neither path nor device: −1; by the device alone it finds relay 0.
        Assert.Equal("20 00 28 ff ff ff ff ff ff ff ff ff 01 32 1d " + Ascii("virtio_remove_sock_dev_pair()"),
            Ask(zmq.PortControl, new PortControlRequest { Op = Op.RemoveSock, Conditional = false }));
        Assert.Equal("20 01", Ask(zmq.PortControl, new PortControlRequest { Op = Op.RemoveSock, PciAddrs = { Function2 }, Conditional = false }));
        relay0 = daemon.Stats().Relay(0);
        Assert.True(relay0 is { Device: null, SocketPath: null } && !File.Exists(vmA), relay0.ToString());
        daemon.StopAndAssertCleanExit();
    }

    [Fact]
    public void A_thousand_bad_frames_per_service_are_each_answered_and_the_daemon_lives_on()
    {
        using var workDir = new TestWorkDir();
        var zmq = new ZmqEndpoints(workDir);
        // Static sockets: no relay is ever idle, so no fuzzed ADD_SOCK can create a socket file (§3.3).
        var config = new DaemonConfig(workDir) { MaxRelays = 2, Ports = [DaemonPort.NullSink(0)], ExtraArguments = zmq.Arguments };
        using var daemon = DaemonProcess.Start(config);
        var queryPci = new PortControlRequest { Op = Op.QueryPci, VhostPath = workDir.File("nobody.sock") };
        (string Endpoint, string Good, string GoodReply)[] services =
        [
            (zmq.PortControl, WireBytes.Of(queryPci), "20 00 28 02 32 12 " + Ascii("virtio_query_pci()")),
            (zmq.Stats, "10 00", "08 00"),
            (zmq.CoreSched, "08 01", "20 01 38 01"),
            (zmq.Config, "", "08 00"),
        ];
        var random = new Random(20261123);
        foreach (var (endpoint, good, goodReply) in services)
        {
            byte[] valid = WireBytes.Parse(good);
            using (var client = new ZmqRequestSocket(endpoint, ReplyTimeoutMs))
            {
                for (int i = 0; i < FuzzFrames; i++)
                {
                    byte[] frame = FrameFuzz.Next(random, valid);
                    client.Send(frame);
                    Assert.True(client.TryReceive(out _), $"{endpoint}: frame {i} ({Convert.ToHexString(frame)}) got no reply; {daemon.Process.LogTail()}");
                }
            }
            Assert.Equal(goodReply, Ask(endpoint, good));
        }
        Assert.False(daemon.Process.HasExited, daemon.Process.LogTail());
        Assert.Equal(config.SocketPath(0), daemon.Stats().Relay(0).SocketPath);
        daemon.StopAndAssertCleanExit();
    }

    /// <summary>The daemon, with the four services, inside <paramref name="netns"/> where veths pose as PCI functions 0000:05:08.2 to .4.</summary>
    private static DaemonProcess StartWithFunctions(TestWorkDir workDir, NetNamespace netns, params string[] arguments)
    {
        string sysfs = workDir.File("sys");
        foreach (string address in (string[])["0000:05:08.2", "0000:05:08.3", "0000:05:08.4"])
            VethAsPciFunction.Create(netns, sysfs, address);
        var zmq = new ZmqEndpoints(workDir);
        return DaemonProcess.Start(new DaemonConfig(workDir) { MaxRelays = 4, SysfsRoot = sysfs, ExtraArguments = [.. zmq.Arguments, .. arguments] }, netns);
    }

    private static string Ask(string endpoint, string requestHex) => Hex(ZmqEndpoints.AskBytes(endpoint, WireBytes.Parse(requestHex)));

    private static string Ask(string endpoint, IMessage request) => Hex(ZmqEndpoints.AskBytes(endpoint, request.ToByteArray()));

    private static string Hex(byte[] bytes) => string.Join(' ', bytes.Select(b => b.ToString("x2")));

    private static string Ascii(string text) => Hex(Encoding.ASCII.GetBytes(text));
}
