using Google.Protobuf;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Tests.Protobuf;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;

namespace VirtioForwarder.Control.Tests.Services;

// docs/control-contract.md §3.1 steps 1, 2 and 7: ERROR with no error_code, and nothing done.
public sealed class PortControlValidationTests : PortControlTestBase
{
    [Theory]
    [InlineData("")]                 // op is required
    [InlineData("ff ff ff")]         // not protobuf
    [InlineData("08 00 12 02 08 00")] // a PciAddress without bus, slot and function
    [InlineData("08")]               // truncated
    public void A_request_that_does_not_decode_gets_a_bare_error(string hex)
    {
        Assert.Equal("20 00", WireBytes.Of(PortControlResponse.Parser.ParseFrom(SendBytes(WireBytes.Parse(hex)))));
        Assert.Empty(Relays.Calls);
    }

    [Fact]
    public void A_bond_name_with_one_address_is_refused_for_add_and_add_sock()
    {
        foreach (var op in new[] { Op.Add, Op.AddSock })
        {
            var r = Request(op, 1, null, Address(5, 8, 2));
            r.Name = "bond0";
            r.VhostPath = "/tmp/x.sock";
            AssertErrorWithoutCode(Send(r));
        }
        Assert.Empty(Relays.Calls);
    }

    [Fact]
    public void Several_addresses_without_a_name_are_refused()
    {
        foreach (var op in new[] { Op.Add, Op.Remove, Op.AddSock, Op.RemoveSock })
            AssertErrorWithoutCode(Send(Request(op, 1, null, Address(5, 8, 2), Address(5, 8, 3))));
        Assert.Empty(Relays.Calls);
    }

    [Fact]
    public void Add_and_remove_need_a_virtio_id()
    {
        AssertErrorWithoutCode(Send(Request(Op.Add, null, null, Address(5, 8, 2))));
        AssertErrorWithoutCode(Send(Request(Op.Remove, null, null, Address(5, 8, 2))));
        Assert.Empty(Relays.Calls);
    }

    [Fact]
    public void Socket_operations_ignore_a_virtio_id()
    {
        var r = Request(Op.AddSock, 7, false, Address(5, 8, 2));
        r.VhostPath = "/tmp/a.sock";
        AssertOk(Send(r));
        Assert.Equal("/tmp/a.sock", Relays.Slots[0].SocketPath);
    }

    [Fact]
    public void Query_pci_needs_a_path()
    {
        AssertErrorWithoutCode(Send(Request(Op.QueryPci, null, null)));
    }

    [Fact]
    public void More_than_eight_bond_members_are_refused()
    {
        var r = Request(Op.Add, 1, null, Enumerable.Range(0, 9).Select(i => Address(5, 8, (uint)i)).ToArray());
        r.Name = "big";
        AssertErrorWithoutCode(Send(r));
        Assert.Empty(Relays.Calls);
    }

    [Fact]
    public void An_unknown_op_gets_a_bare_error()
    {
        // op = 7, virtio_id = 1
        Assert.Equal("20 00", WireBytes.Of(PortControlResponse.Parser.ParseFrom(SendBytes(WireBytes.Parse("08 07 18 01")))));
    }

    [Fact]
    public void Add_without_addresses_gets_a_bare_error()
    {
        AssertErrorWithoutCode(Send(Request(Op.Add, 1, null)));
        Assert.Empty(Relays.Calls);
    }
}
