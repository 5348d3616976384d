using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Control.Tests.Protobuf;

// Byte-exact encodings the Python clients depend on (docs/control-contract.md §2, §2.5, §11).
public sealed class ReplyEncodingTests
{
    [Fact]
    public void Plain_port_control_ok_puts_status_in_field_4()
    {
        var reply = new PortControlResponse { Status = PortControlResponse.Types.Status.Ok };

        Assert.Equal("20 01", WireBytes.Of(reply));
    }

    // Status 0 is the enum's default value, yet a required field must still be on the wire.
    [Fact]
    public void Empty_stats_ok_carries_status_zero()
    {
        var reply = new StatsResponse { Status = StatsResponse.Types.Status.Ok };

        Assert.Equal("08 00", WireBytes.Of(reply));
    }

    [Fact]
    public void Negative_error_code_is_a_ten_byte_varint()
    {
        var reply = new PortControlResponse { Status = PortControlResponse.Types.Status.Error, ErrorCode = -17 };

        Assert.Equal("20 00 28 ef ff ff ff ff ff ff ff ff 01", WireBytes.Of(reply));
    }

    [Fact]
    public void Eal_cores_are_not_packed()
    {
        var reply = new CoreSchedResponse { Status = CoreSchedResponse.Types.Status.Ok, EalCores = { 1, 2 } };

        Assert.Equal("20 01 38 01 38 02", WireBytes.Of(reply));
    }

    [Fact]
    public void Stats_request_relays_are_packed()
    {
        var request = new StatsRequest { Relay = { 1, 2 } };

        Assert.Equal("0a 02 01 02", WireBytes.Of(request));
    }
}
