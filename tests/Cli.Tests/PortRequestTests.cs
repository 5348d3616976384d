using Google.Protobuf;
using VirtioForwarder.Cli.PortControl;
using VirtioForwarder.Control.Protobuf;
using Op = VirtioForwarder.Control.Protobuf.PortControlRequest.Types.Op;
using Status = VirtioForwarder.Control.Protobuf.PortControlResponse.Types.Status;

namespace VirtioForwarder.Cli.Tests;

public sealed class PortRequestTests
{
    [Theory]
    [InlineData("0000:05:08.2", 0u, 5u, 8u, 2u)]
    [InlineData("05:08.2", 0u, 5u, 8u, 2u)]
    [InlineData("0000:0a:1F.7", 0u, 0xau, 0x1fu, 7u)]
    [InlineData("ffff:ff:1f.7", 0xffffu, 0xffu, 0x1fu, 7u)]
    // Upstream's oddity (§7.1): three parts are always bus, slot, function.
    [InlineData("0000:05:08", 0u, 0u, 5u, 8u)]
    public void Pci_addresses_parse_as_upstreams_client_reads_them(string text, uint domain, uint bus, uint slot, uint function)
    {
        var address = PciAddressParser.Parse(text);
        Assert.Equal((domain, bus, slot, function), (address.Domain, address.Bus, address.Slot, address.Function));
    }

    [Theory]
    [InlineData("0000:05:08.x")]
    [InlineData("05:08")]
    [InlineData("0000:05:08.2.1")]
    [InlineData("0000::08.2")]
    [InlineData("0x00:05:08.2")]
    [InlineData("")]
    [InlineData("100000000:05:08.2")]
    public void Malformed_pci_addresses_are_refused_with_a_clear_error(string text)
    {
        var error = Assert.ThrowsAny<CliException>(() => PciAddressParser.Parse(text));
        Assert.Contains($"'{text}'", error.Message);
    }

    // §2.5: the bytes upstream's client sends for `add --virtio-id=1 --pci-addr=0000:05:08.2`.
    [Fact]
    public void Add_request_bytes_are_upstreams()
    {
        var request = new PortRequest(Op.Add, 1, ["0000:05:08.2"], null, 1, null, false);
        Assert.Equal("08001208080010051808200218012000", Convert.ToHexStringLower(request.ToMessage().ToByteArray()));
    }

    // Recorded from upstream's client: a bond by ADD_SOCK, mode sent with the name, no virtio_id.
    [Fact]
    public void Bond_add_sock_request_bytes_are_upstreams()
    {
        var request = new PortRequest(Op.AddSock, null, ["0000:05:08.3", "0000:05:08.4"], "bond_b", 1, "/tmp/vm-b.sock", false);
        Assert.Equal(
            "0802120808001005180820031208080010051808200420002a06626f6e645f6230013a0e2f746d702f766d2d622e736f636b",
            Convert.ToHexStringLower(request.ToMessage().ToByteArray()));
    }

    [Fact]
    public void Mode_is_not_sent_without_a_name_and_conditional_always_is()
    {
        var message = new PortRequest(Op.Remove, 3, [], null, 4, null, true).ToMessage();
        Assert.False(message.HasMode);
        Assert.True(message.HasConditional && message.Conditional);
    }

    [Fact]
    public void An_error_names_its_code_meaning_and_source()
    {
        var request = new PortRequest(Op.Add, 1, ["0000:05:08.2"], null, 1, null, false);
        var reply = new PortControlResponse { Status = Status.Error, ErrorCode = 8, ErrorCodeSource = "virtio_forwarder_add_vf2()" };

        Assert.Equal((false, "error 8: relay 1 already has another device (virtio_forwarder_add_vf2())"), request.Outcome(reply));
    }

    [Theory]
    [InlineData(PortErrorMeanings.AddSock, -17, "the device is already in use as a port")]
    [InlineData(PortErrorMeanings.AddSock, 2, "no idle relay is left (in static-socket mode there never is one)")]
    [InlineData(PortErrorMeanings.Remove, 4, "relay 5 has no device attached (use --conditional to accept that)")]
    [InlineData(PortErrorMeanings.Remove, 3, "relay 5 has a different device attached")]
    [InlineData(PortErrorMeanings.QueryPci, 2, "no relay has that vhost-user path")]
    [InlineData(PortErrorMeanings.RemoveSock, 1, "no relay has that vhost-user path or device")]
    [InlineData("something_else()", 1, "unknown error code")]
    public void Error_meanings_follow_the_contracts_table(string source, int code, string meaning) =>
        Assert.Equal(meaning, PortErrorMeanings.Describe(source, code, 5));

    [Fact]
    public void Without_a_virtio_id_the_meaning_speaks_of_the_relay() =>
        Assert.Equal("the relay already has another device", PortErrorMeanings.Describe(PortErrorMeanings.AddVf, 8, null));

    [Fact]
    public void An_error_without_a_code_says_the_request_was_refused_as_invalid()
    {
        var request = new PortRequest(Op.Add, null, ["0000:05:08.2"], null, 1, null, false);
        var (ok, text) = request.Outcome(new PortControlResponse { Status = Status.Error });
        Assert.False(ok);
        Assert.Equal(PortErrorMeanings.Refused, text);
    }

    [Fact]
    public void Success_carries_the_query_string()
    {
        var request = new PortRequest(Op.QueryPci, null, [], null, 1, "/tmp/a.sock", false);
        Assert.Equal((true, "0000:05:08.2"), request.Outcome(new PortControlResponse { Status = Status.Ok, QueryString = "0000:05:08.2" }));
        Assert.Equal((true, ""), request.Outcome(new PortControlResponse { Status = Status.Ok }));
    }
}
