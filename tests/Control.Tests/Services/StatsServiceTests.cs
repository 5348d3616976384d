using Google.Protobuf;
using VirtioForwarder.Control.Model;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Services.Stats;
using VirtioForwarder.Control.Tests.Protobuf;
using VirtioForwarder.Relay;
using Status = VirtioForwarder.Control.Protobuf.StatsResponse.Types.Status;

namespace VirtioForwarder.Control.Tests.Services;

// docs/control-contract.md §4.
public sealed class StatsServiceTests
{
    private readonly FakeRelays _relays = new();

    private StatsResponse Send(StatsRequest request) => Send(request.ToByteArray());

    private StatsResponse Send(byte[] request) =>
        StatsResponse.Parser.ParseFrom(new StatsService(_relays).Handle(request, default));

    [Theory]
    [InlineData("ff ff")]
    [InlineData("0a 05 01")] // packed relay list cut short
    public void Undecodable_is_ebadr_without_relays(string hex)
    {
        Assert.Equal("08 90 03", WireBytes.Of(Send(WireBytes.Parse(hex))));
    }

    [Fact]
    public void More_than_64_ids_is_e2big()
    {
        var r = new StatsRequest();
        r.Relay.AddRange(Enumerable.Repeat(0u, 65));
        Assert.Equal("08 9d 03", WireBytes.Of(Send(r)));
    }

    [Fact]
    public void The_clients_request_with_nothing_active_is_the_empty_ok()
    {
        Assert.Equal("08 00", WireBytes.Of(Send(WireBytes.Parse("10 00 18 c8 01"))));
        Assert.Equal("08 00", WireBytes.Of(Send(WireBytes.Parse("10 00"))));
    }

    [Fact]
    public void An_empty_request_reports_every_relay_ascending_inactive_included()
    {
        var reply = Send([]);
        Assert.Equal(Status.Ok, reply.Status);
        Assert.Equal(Enumerable.Range(0, 64).Select(i => (uint)i), reply.Relay.Select(r => r.Id));
    }

    [Fact]
    public void Listed_ids_keep_their_order_unknown_ones_are_dropped_and_duplicates_reported_twice()
    {
        var r = new StatsRequest();
        r.Relay.AddRange([5, 64, 2, 5, 1000]);
        Assert.Equal([5u, 2u, 5u], Send(r).Relay.Select(s => s.Id));
    }

    [Fact]
    public void Include_inactive_false_keeps_only_active_relays()
    {
        _relays.ConnectVm(3);
        _relays.Attach(3, "0000:05:08.2");
        _relays.Attach(4, "0000:05:08.3");
        var reply = Send(new StatsRequest { IncludeInactive = false });
        Assert.Equal(3u, Assert.Single(reply.Relay).Id);
        Assert.True(reply.Relay[0].Active);
    }

    [Fact]
    public void An_idle_relay_has_its_required_fields_rates_at_zero_and_nothing_optional()
    {
        var s = Send(new StatsRequest { Relay = { 7 } }).Relay[0];
        Assert.True(s.IsInitialized());
        Assert.Equal((7u, false, 4294967295u, "NONE"), (s.Id, s.Active, s.SocketId, s.Vhost.VhostSocketName));
        Assert.Null(s.Cpu);
        Assert.Null(s.Vf);
        Assert.False(s.HasIdent);
        Assert.Equal((false, "DPDK_UNINIT", false), (s.VfToVm.Active, s.VfToVm.InternalState, s.VfToVm.HasPktsRxFromVf));
        Assert.Equal((false, "VIRTIO_UNINIT", false), (s.VmToVf.Active, s.VmToVf.InternalState, s.VmToVf.HasPktsRxFromVm));
        Assert.True(s.VfToVm.HasPktRateRxFromVf && s.VfToVm.HasByteRateTxToVm && s.VmToVf.HasPktRateTxToVf);
        Assert.Equal(0f, s.VfToVm.PktRateRxFromVf);
    }

    [Fact]
    public void A_device_without_a_vm_shows_the_device_side_counters_cpu_and_address_only()
    {
        _relays.Attach(2, "0000:05:08.2", cpu: 1);
        // Of the 3 + 4 frames lost for want of room, 4 went in the port's ring: both count as VM queue full.
        _relays.Slots[2].VfToVm = new CountersSnapshot(10, 640, 0, 0, 3, 10, 0, 0, DroppedRxMissed: 4);
        _relays.Slots[2].NumaNode = 0;
        var s = Send(new StatsRequest { Relay = { 2 } }).Relay[0];
        Assert.Equal((false, 0u), (s.Active, s.SocketId));
        Assert.Equal((true, "DPDK_ADDED"), (s.VfToVm.Active, s.VfToVm.InternalState));
        Assert.Equal((10ul, 640ul, 0ul, 0ul, 7ul, 10ul), (s.VfToVm.PktsRxFromVf, s.VfToVm.BytesRxFromVf,
            s.VfToVm.PktsTxToVm, s.VfToVm.BytesTxToVm, s.VfToVm.PktsDroppedVmQueueFull, s.VfToVm.PktsDroppedVmNotConnected));
        Assert.False(s.VfToVm.HasBytesDroppedVmQueueFull || s.VfToVm.HasBytesDroppedVmNotConnected);
        Assert.False(s.VmToVf.HasPktsRxFromVm);
        Assert.Equal((true, 1, false), (s.Cpu.HasVfToVm, s.Cpu.VfToVm, s.Cpu.HasVmToVf));
        Assert.Equal("0000:05:08.2", s.Vf.PciAddrStr);
    }

    [Fact]
    public void An_active_relay_shows_both_directions_and_its_socket()
    {
        _relays.Slots[0].SocketPath = "/tmp/vf0.sock";
        _relays.ConnectVm(0, cpu: 2);
        _relays.Attach(0, "0000:05:08.2", cpu: 1);
        var s = Send(new StatsRequest { Relay = { 0 } }).Relay[0];
        Assert.True(s.Active);
        Assert.Equal(("DPDK_READY", "VIRTIO_READY"), (s.VfToVm.InternalState, s.VmToVf.InternalState));
        Assert.Equal((1, 2), (s.Cpu.VfToVm, s.Cpu.VmToVf));
        Assert.True(s.VmToVf.HasPktsTxToVf && s.VmToVf.HasPktsDroppedVfNotConnected);
        Assert.Equal("/tmp/vf0.sock", s.Vhost.VhostSocketName);
    }

    [Fact]
    public void Socket_names_are_cut_to_127_characters()
    {
        _relays.Slots[0].SocketPath = "/" + new string('s', 200);
        Assert.Equal(127, Send(new StatsRequest { Relay = { 0 } }).Relay[0].Vhost.VhostSocketName.Length);
    }

    [Fact]
    public void Rates_cover_the_requests_own_delay_window_and_a_duplicate_gets_a_fresh_window()
    {
        _relays.ConnectVm(0);
        _relays.Attach(0, "0000:05:08.2");
        _relays.Slots[0].GrowthPerRead = 1000;
        var start = DateTime.UtcNow;
        var reply = Send(new StatsRequest { Relay = { 0, 0 }, Delay = 200 });
        double seconds = (DateTime.UtcNow - start).TotalSeconds;
        Assert.True(seconds >= 0.19, $"the handler answered after {seconds} s, before the delay passed");
        // 1000 packets between the baseline and the report, over at least 0.2 s.
        float rate = reply.Relay[0].VfToVm.PktRateRxFromVf;
        Assert.InRange(rate, 1000 / seconds / 2, 1000 / 0.2 + 1);
        Assert.Equal(64 * rate, reply.Relay[0].VmToVf.ByteRateRxFromVm, 0.01 * rate);
        // The second report of the same relay measures from the first one: microseconds, 1000 packets.
        Assert.True(reply.Relay[1].VfToVm.PktRateRxFromVf > 10 * rate);
    }
}
