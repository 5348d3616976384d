using VirtioForwarder.Control.Protobuf;

namespace VirtioForwarder.Control.Tests.Protobuf;

// The requests upstream's Python clients actually send (docs/control-contract.md §2.5).
public sealed class RequestVectorTests
{
    [Fact]
    public void Port_control_add_with_virtio_id_and_one_vf()
    {
        var request = PortControlRequest.Parser.ParseFrom(
            WireBytes.Parse("08 00 12 08 08 00 10 05 18 08 20 02 18 01 20 00"));

        Assert.Equal(PortControlRequest.Types.Op.Add, request.Op);
        var pci = Assert.Single(request.PciAddrs);
        Assert.Equal((0u, 5u, 8u, 2u), (pci.Domain, pci.Bus, pci.Slot, pci.Function));
        Assert.Equal(1u, request.VirtioId);
        Assert.True(request.HasConditional);
        Assert.False(request.Conditional);
        Assert.False(request.HasVhostPath);
    }

    [Fact]
    public void Stats_client_with_default_options()
    {
        var request = StatsRequest.Parser.ParseFrom(WireBytes.Parse("10 00 18 c8 01"));

        Assert.Empty(request.Relay);
        Assert.False(request.IncludeInactive);
        Assert.Equal(200u, request.Delay);
    }

    [Fact]
    public void Core_pinner_stats_request_leaves_delay_at_its_default()
    {
        var request = StatsRequest.Parser.ParseFrom(WireBytes.Parse("10 00"));

        Assert.False(request.IncludeInactive);
        Assert.False(request.HasDelay);
        Assert.Equal(0u, request.Delay);
    }

    [Fact]
    public void Get_eal_cores()
    {
        var request = CoreSchedRequest.Parser.ParseFrom(WireBytes.Parse("08 01"));

        Assert.Equal(CoreSchedRequest.Types.Op.GetEalCores, request.Op);
        Assert.Empty(request.RelayCpuMap);
    }

    [Fact]
    public void Config_request_is_an_empty_frame()
    {
        var request = ConfigRequest.Parser.ParseFrom([]);

        Assert.Equal(0, request.CalculateSize());
    }

    // Proto2 defaults come from the schema, not from the type's zero value (§2.1, §2.2).
    [Fact]
    public void Absent_optional_fields_read_as_their_schema_defaults()
    {
        var portControl = PortControlRequest.Parser.ParseFrom([]);
        var stats = StatsRequest.Parser.ParseFrom([]);

        Assert.False(portControl.HasConditional);
        Assert.True(portControl.Conditional);
        Assert.False(stats.HasIncludeInactive);
        Assert.True(stats.IncludeInactive);
        Assert.Equal(0u, stats.Delay);
    }
}
