using Google.Protobuf;
using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Tests.Protobuf;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;

namespace VirtioForwarder.Control.Tests.Services;

// docs/control-contract.md §3.2 rows ADD_SOCK, REMOVE_SOCK, QUERY_PCI, and §3.3 (static sockets).
public sealed class PortControlSocketTests : PortControlTestBase
{
    private static PortControlRequest AddSock(string? path, params PortControlRequest.Types.PciAddress[] a)
    {
        var r = Request(Op.AddSock, null, false, a);
        if (path is not null) r.VhostPath = path;
        return r;
    }

    private static PortControlRequest RemoveSock(string? path, bool conditional, params PortControlRequest.Types.PciAddress[] a)
    {
        var r = Request(Op.RemoveSock, null, conditional, a);
        if (path is not null) r.VhostPath = path;
        return r;
    }

    [Fact]
    public void Add_sock_takes_the_lowest_idle_relay()
    {
        Relays.Slots[0].SocketPath = "/tmp/other.sock";
        Relays.Slots[1].VmState = VmSideState.VIRTIO_READY;
        Relays.Attach(2, "0000:01:00.0");
        AssertOk(Send(AddSock("/tmp/a.sock", Address(5, 8, 2))));
        Assert.Equal(("/tmp/a.sock", "0000:05:08.2"), (Relays.Slots[3].SocketPath, Relays.Slots[3].Device));
    }

    [Fact]
    public void Add_sock_without_a_path_is_minus_1_encoded_as_a_ten_byte_varint()
    {
        var reply = SendBytes(AddSock(null, Address(5, 8, 2)).ToByteArray());
        var r = PortControlResponse.Parser.ParseFrom(reply);
        AssertError(r, -1, AddSockSource);
        Assert.StartsWith("20 00 28 ff ff ff ff ff ff ff ff ff 01", WireBytes.Of(r));
    }

    [Fact]
    public void Add_sock_of_a_device_in_use_is_minus_17()
    {
        Relays.Attach(5, "0000:05:08.2");
        var r = Send(AddSock("/tmp/a.sock", Address(5, 8, 2)));
        AssertError(r, -17, AddSockSource);
        Assert.StartsWith("20 00 28 ef ff ff ff ff ff ff ff ff 01", WireBytes.Of(r));
    }

    [Fact]
    public void Add_sock_of_a_registered_path_is_1()
    {
        Relays.Slots[9].SocketPath = "/tmp/a.sock";
        AssertError(Send(AddSock("/tmp/a.sock", Address(5, 8, 2))), 1, AddSockSource);
    }

    [Fact]
    public void In_static_socket_mode_add_sock_finds_no_idle_relay_and_is_2_or_1_for_a_static_path()
    {
        Relays = FakeRelays.WithStaticSockets();
        AssertError(Send(AddSock("/tmp/a.sock", Address(5, 8, 2))), 2, AddSockSource);
        AssertError(Send(AddSock(FakeRelays.StaticSocket(3), Address(5, 8, 2))), 1, AddSockSource);
    }

    [Fact]
    public void Add_sock_reports_3_when_the_device_add_fails_and_4_when_the_bond_add_fails()
    {
        Relays.NextAttach = AttachResult.NotFound;
        AssertError(Send(AddSock("/tmp/a.sock", Address(5, 8, 2))), 3, AddSockSource);
        var bond = AddSock("/tmp/b.sock", Address(5, 8, 3), Address(5, 8, 4));
        bond.Name = "bond_b";
        AssertError(Send(bond), 4, AddSockSource);
        Assert.All(Relays.Slots, s => Assert.Null(s.SocketPath));
    }

    [Fact]
    public void Add_sock_of_a_bond_stores_its_name_and_mode()
    {
        var bond = AddSock("/tmp/vm-b.sock", Address(5, 8, 3), Address(5, 8, 4));
        bond.Name = "bond_b";
        bond.Mode = 1;
        AssertOk(Send(bond));
        Assert.Equal(("/tmp/vm-b.sock", "bond_b"), (Relays.Slots[0].SocketPath, Relays.Slots[0].Device));
    }

    [Fact]
    public void Add_sock_whose_socket_fails_is_5_and_the_device_is_detached_again()
    {
        Relays.NextOpen = SocketResult.Failed;
        AssertError(Send(AddSock("/tmp/a.sock", Address(5, 8, 2))), 5, AddSockSource);
        Assert.Null(Relays.Slots[0].Device);
    }

    [Fact]
    public void Remove_sock_by_path_closes_the_socket_and_detaches_the_device()
    {
        AssertOk(Send(AddSock("/tmp/a.sock", Address(5, 8, 2))));
        AssertOk(Send(RemoveSock("/tmp/a.sock", false)));
        Assert.Equal((null, null), (Relays.Slots[0].SocketPath, Relays.Slots[0].Device));
        Assert.Equal(["attach 0 0000:05:08.2 [] mode 1", "open 0 /tmp/a.sock", "close 0", "detach 0"], Relays.Calls);
    }

    [Fact]
    public void Remove_sock_by_device_alone_finds_the_relay()
    {
        AssertOk(Send(AddSock("/tmp/a.sock", Address(5, 8, 2))));
        AssertOk(Send(RemoveSock(null, false, Address(5, 8, 2))));
        Assert.Null(Relays.Slots[0].SocketPath);
    }

    [Fact]
    public void Remove_sock_codes_minus_1_1_2_and_3()
    {
        AssertError(Send(RemoveSock(null, false)), -1, RemoveSockSource);
        AssertError(Send(RemoveSock("/tmp/none.sock", false)), 1, RemoveSockSource);
        AssertError(Send(RemoveSock(null, false, Address(5, 8, 2))), 1, RemoveSockSource);
        AssertOk(Send(AddSock("/tmp/a.sock", Address(5, 8, 2))));
        AssertError(Send(RemoveSock("/tmp/a.sock", false, Address(5, 8, 3))), 2, RemoveSockSource);
        Relays.NextClose = SocketResult.Failed;
        AssertError(Send(RemoveSock("/tmp/a.sock", false)), 3, RemoveSockSource);
    }

    [Fact]
    public void Remove_sock_of_a_relay_without_device_unconditionally_is_4_after_the_socket_is_gone()
    {
        Relays = FakeRelays.WithStaticSockets();
        string path = FakeRelays.StaticSocket(6);
        AssertError(Send(RemoveSock(path, false)), 4, RemoveSockSource);
        Assert.Null(Relays.Slots[6].SocketPath);
        // That relay is now idle, and the lowest one, for ADD_SOCK (§3.3).
        AssertOk(Send(AddSock("/tmp/new.sock", Address(5, 8, 2))));
        Assert.Equal("/tmp/new.sock", Relays.Slots[6].SocketPath);
    }

    [Fact]
    public void Remove_sock_conditional_of_a_relay_without_device_is_ok()
    {
        Relays = FakeRelays.WithStaticSockets();
        AssertOk(Send(RemoveSock(FakeRelays.StaticSocket(6), true)));
    }

    [Fact]
    public void Query_pci_returns_the_stored_device_or_an_empty_string_or_2()
    {
        Relays = FakeRelays.WithStaticSockets();
        Relays.Attach(1, "0000:05:08.2");
        var query = new PortControlRequest { Op = Op.QueryPci, VhostPath = FakeRelays.StaticSocket(1) };
        var found = Send(query);
        Assert.Equal("0000:05:08.2", found.QueryString);
        query.VhostPath = FakeRelays.StaticSocket(2);
        Assert.Equal("20 01 3a 00", WireBytes.Of(Send(query)));
        query.VhostPath = "/tmp/nowhere.sock";
        AssertError(Send(query), 2, QuerySource);
    }
}
