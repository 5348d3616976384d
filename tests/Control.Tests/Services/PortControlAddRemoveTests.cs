using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Tests.Protobuf;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;

namespace VirtioForwarder.Control.Tests.Services;

// docs/control-contract.md §3.1 steps 3–6 and §3.2, rows ADD and REMOVE.
public sealed class PortControlAddRemoveTests : PortControlTestBase
{
    [Fact]
    public void The_clients_add_vector_attaches_the_address_to_the_relay_and_gets_the_two_byte_ok()
    {
        var reply = SendBytes(WireBytes.Parse("08 00 12 08 08 00 10 05 18 08 20 02 18 01 20 00"));
        Assert.Equal("20 01", string.Join(' ', reply.Select(b => b.ToString("x2"))));
        Assert.Equal("0000:05:08.2", Relays.Slots[1].Device);
    }

    [Fact]
    public void Addresses_are_stored_in_upper_case_hex()
    {
        var a = new PortControlRequest.Types.PciAddress { Domain = 0xab, Bus = 0x0a, Slot = 0x1f, Function = 7 };
        AssertOk(Send(Request(Op.Add, 3, false, a)));
        Assert.Equal("00AB:0A:1F.7", Relays.Slots[3].Device);
    }

    [Fact]
    public void A_relay_id_beyond_the_table_is_code_1()
    {
        AssertError(Send(Request(Op.Add, 64, false, Address(5, 8, 2))), 1, AddSource);
        AssertError(Send(Request(Op.Remove, 64, false, Address(5, 8, 2))), 1, RemoveSource);
    }

    [Fact]
    public void An_unconditional_add_to_an_attached_relay_is_code_8()
    {
        Relays.Attach(1, "0000:05:08.2");
        AssertError(Send(Request(Op.Add, 1, false, Address(5, 8, 2))), 8, AddSource);
    }

    [Fact]
    public void A_conditional_add_of_the_same_device_is_a_no_op_and_of_another_is_code_8()
    {
        Relays.Attach(1, "0000:05:08.2");
        AssertOk(Send(Request(Op.Add, 1, true, Address(5, 8, 2))));
        AssertError(Send(Request(Op.Add, 1, true, Address(5, 8, 3))), 8, AddSource);
        Assert.Empty(Relays.Calls);
    }

    [Fact]
    public void Conditional_is_true_when_the_field_is_absent()
    {
        AssertOk(Send(Request(Op.Add, 1, null, Address(5, 8, 2))));
        AssertOk(Send(Request(Op.Add, 1, null, Address(5, 8, 2))));
        Assert.Single(Relays.Calls);
        AssertOk(Send(Request(Op.Remove, 2, null, Address(5, 8, 2))));
    }

    [Fact]
    public void A_static_vf_in_sysfs_spelling_matches_an_upper_case_request()
    {
        // Our deliberate fix of trap §3.4 (issue 4): PCI addresses compare without regard to case.
        Relays.Attach(4, "0000:05:0a.1");
        AssertOk(Send(Request(Op.Add, 4, true, Address(5, 0x0a, 1))));
        AssertOk(Send(Request(Op.Remove, 4, false, Address(5, 0x0a, 1))));
        Assert.Null(Relays.Slots[4].Device);
    }

    [Theory]
    [InlineData(AttachResult.NotFound, 2)]
    [InlineData(AttachResult.ConfigureFailed, 4)]
    [InlineData(AttachResult.StartFailed, 1)]
    [InlineData(AttachResult.Occupied, 8)]
    public void Attach_failures_map_to_add_vf2_codes(AttachResult outcome, int code)
    {
        Relays.NextAttach = outcome;
        AssertError(Send(Request(Op.Add, 1, false, Address(5, 8, 2))), code, AddSource);
    }

    [Fact]
    public void A_bond_is_stored_under_its_name_cut_to_19_characters_with_mode_1_by_default()
    {
        var r = Request(Op.Add, 2, null, Address(5, 8, 3), Address(5, 8, 4));
        r.Name = "bond_with_a_very_long_name";
        AssertOk(Send(r));
        Assert.Equal("bond_with_a_very_lo", Relays.Slots[2].Device);
        Assert.Equal("attach 2 bond_with_a_very_lo [0000:05:08.3,0000:05:08.4] mode 1", Assert.Single(Relays.Calls));
    }

    [Fact]
    public void A_bond_ignores_conditional_and_takes_the_given_mode()
    {
        var r = Request(Op.Add, 2, true, Address(5, 8, 3), Address(5, 8, 4));
        r.Name = "b";
        r.Mode = 4;
        AssertOk(Send(r));
        Assert.Contains("mode 4", Relays.Calls[0]);
        AssertError(Send(r), 8, BondSource);
    }

    [Theory]
    [InlineData(AttachResult.MemberInUse, 3)]
    [InlineData(AttachResult.ConfigureFailed, 4)]
    [InlineData(AttachResult.MemberFailed, 5)]
    [InlineData(AttachResult.NotFound, 5)]
    [InlineData(AttachResult.StartFailed, 6)]
    public void Bond_attach_failures_map_to_bond_add_codes(AttachResult outcome, int code)
    {
        Relays.NextAttach = outcome;
        var r = Request(Op.Add, 2, false, Address(5, 8, 3), Address(5, 8, 4));
        r.Name = "b";
        AssertError(Send(r), code, BondSource);
    }

    [Fact]
    public void A_bond_with_an_unknown_mode_or_a_taken_name_is_code_2_and_beyond_the_table_code_1()
    {
        var r = Request(Op.Add, 2, false, Address(5, 8, 3), Address(5, 8, 4));
        r.Name = "b";
        r.Mode = 7;
        AssertError(Send(r), 2, BondSource);
        Relays.Attach(9, "b");
        r.Mode = 1;
        AssertError(Send(r), 2, BondSource);
        r.VirtioId = 64;
        AssertError(Send(r), 1, BondSource);
    }

    [Fact]
    public void Remove_of_the_attached_device_detaches_it()
    {
        Relays.Attach(1, "0000:05:08.2");
        AssertOk(Send(Request(Op.Remove, 1, false, Address(5, 8, 2))));
        Assert.Null(Relays.Slots[1].Device);
    }

    [Fact]
    public void Remove_of_a_different_device_is_code_3_whatever_conditional_says()
    {
        Relays.Attach(1, "0000:05:08.2");
        AssertError(Send(Request(Op.Remove, 1, true, Address(5, 8, 3))), 3, RemoveSource);
        AssertError(Send(Request(Op.Remove, 1, false, Address(5, 8, 3))), 3, RemoveSource);
    }

    [Fact]
    public void Remove_from_an_empty_relay_is_ok_if_conditional_else_code_4()
    {
        AssertOk(Send(Request(Op.Remove, 1, true, Address(5, 8, 2))));
        AssertError(Send(Request(Op.Remove, 1, false, Address(5, 8, 2))), 4, RemoveSource);
    }

    [Theory]
    [InlineData(DetachResult.Timeout, 5)]
    [InlineData(DetachResult.Failed, 2)]
    public void Detach_failures_map_to_remove_vf2_codes(DetachResult outcome, int code)
    {
        Relays.Attach(1, "0000:05:08.2");
        Relays.NextDetach = outcome;
        AssertError(Send(Request(Op.Remove, 1, false, Address(5, 8, 2))), code, RemoveSource);
    }

    [Fact]
    public void A_bond_is_removed_by_its_name()
    {
        Relays.Attach(2, "bond0");
        var r = Request(Op.Remove, 2, false, Address(5, 8, 3), Address(5, 8, 4));
        r.Name = "bond0";
        AssertOk(Send(r));
        Assert.Null(Relays.Slots[2].Device);
    }
}
