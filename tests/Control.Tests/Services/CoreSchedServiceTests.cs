using Google.Protobuf;
using VirtioForwarder.Control.Protobuf;
using VirtioForwarder.Control.Services.CoreSched;
using VirtioForwarder.Control.Tests.Protobuf;
using Op = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.Op;
using RelayCpu = VirtioForwarder.Control.Protobuf.CoreSchedRequest.Types.RelayCPU;

namespace VirtioForwarder.Control.Tests.Services;

// docs/control-contract.md §5.
public sealed class CoreSchedServiceTests
{
    private readonly FakeRelays _relays = new();

    private string Send(byte[] request) => WireBytes.Of(
        CoreSchedResponse.Parser.ParseFrom(new CoreSchedService(_relays).Handle(request, default)));

    private string Update(params (int Relay, int Vf2Virtio, int Virtio2Vf)[] map)
    {
        var r = new CoreSchedRequest { Op = Op.Update };
        r.RelayCpuMap.AddRange(map.Select(m => new RelayCpu { RelayNumber = m.Relay, Vf2VirtioCpu = m.Vf2Virtio, Virtio2VfCpu = m.Virtio2Vf }));
        return Send(r.ToByteArray());
    }

    [Fact]
    public void Get_eal_cores_lists_the_workers_each_in_its_own_tag()
    {
        Assert.Equal("20 01 38 01 38 02", Send(WireBytes.Parse("08 01")));
    }

    [Fact]
    public void Get_eal_cores_without_workers_is_error_1_from_the_worker_core_request()
    {
        _relays.WorkerCpus = [];
        var reply = CoreSchedResponse.Parser.ParseFrom(new CoreSchedService(_relays).Handle(WireBytes.Parse("08 01"), default));
        Assert.Equal((CoreSchedResponse.Types.Status.Error, 1, "worker core request"), (reply.Status, reply.ErrorCode, reply.ErrorCodeSource));
    }

    [Theory]
    [InlineData("")]      // op is required
    [InlineData("08 00")] // UPDATE with an empty map
    [InlineData("08 05")] // unknown op
    [InlineData("ff")]
    public void Undecodable_empty_update_and_unknown_op_are_a_bare_error(string hex)
    {
        Assert.Equal("20 00", Send(WireBytes.Parse(hex)));
        Assert.Empty(_relays.Calls);
    }

    [Fact]
    public void Update_moves_vm_to_vf_to_virtio2vf_and_vf_to_vm_to_vf2virtio_and_says_ok()
    {
        _relays.ConnectVm(0, cpu: 1);
        _relays.Attach(0, "0000:05:08.2", cpu: 1);
        Assert.Equal("20 01", Update((0, 1, 2)));
        Assert.Equal(["move 0 VmToVf 2", "move 0 VfToVm 1"], _relays.Calls);
        Assert.Equal((1, 2), (_relays.Slots[0].VfToVmCpu, _relays.Slots[0].VmToVfCpu));
    }

    [Fact]
    public void Update_is_ok_even_when_nothing_can_move()
    {
        // CPU 7 has no worker and relay 3 has neither a VM nor a device: only log lines (§5).
        Assert.Equal("20 01", Update((3, 7, 7), (4, 1, 1)));
        Assert.Equal(4, _relays.Calls.Count);
    }

    [Theory]
    [InlineData(64, 1, 1)]
    [InlineData(-1, 1, 1)]
    [InlineData(0, 64, 1)]
    [InlineData(0, 1, -1)]
    public void Relays_and_cpus_out_of_range_are_refused_before_anything_moves(int relay, int vf2Virtio, int virtio2Vf)
    {
        Assert.Equal("20 00", Update((0, 1, 1), (relay, vf2Virtio, virtio2Vf)));
        Assert.Empty(_relays.Calls);
    }
}
