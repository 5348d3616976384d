using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Services.Config;
using VirtioForwarder.Control.Tests.Protobuf;

namespace VirtioForwarder.Control.Tests.Services;

// docs/control-contract.md §6.
public sealed class ConfigServiceTests
{
    private readonly FakeRelays _relays = new();

    private string Send(string hex) => WireBytes.Of(
        ConfigResponse.Parser.ParseFrom(new ConfigService(_relays).Handle(WireBytes.Parse(hex), default)));

    [Fact]
    public void The_empty_request_without_pins_is_the_two_byte_ok()
    {
        Assert.Equal("08 00", Send(""));
    }

    [Fact]
    public void Startup_pins_are_listed_by_relay_with_vf2virtio_first()
    {
        _relays.StartupPins = [new RelayPin(3, 1, 2), new RelayPin(0, 2, 1)];
        var reply = ConfigResponse.Parser.ParseFrom(new ConfigService(_relays).Handle([], default));
        Assert.Equal(["0:2,1", "3:1,2"], reply.RelayCpuMap.Select(m => $"{m.RelayNumber}:{m.Vf2VirtioCpu},{m.Virtio2VfCpu}"));
        Assert.Equal("08 00 2a 06 08 00 10 02 18 01 2a 06 08 03 10 01 18 02", WireBytes.Of(reply));
    }

    [Fact]
    public void Unknown_fields_decode_and_are_ok()
    {
        Assert.Equal("08 00", Send("08 01 12 00"));
    }

    [Fact]
    public void Undecodable_is_ebadr()
    {
        Assert.Equal("08 90 03", Send("12 05 00"));
    }
}
