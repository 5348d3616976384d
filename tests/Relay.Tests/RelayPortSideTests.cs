using VirtioForwarder.Relay;

namespace VirtioForwarder.Relay.Tests;

/// <summary>
/// A relay's device side with real workers on CPUs 0 and 1: states, placement, run-time moves,
/// and workers shared per CPU. (The VM side needs a frontend: the end-to-end tests cover it.)
/// </summary>
public sealed class RelayPortSideTests : IDisposable
{
    private readonly CpuPlacement _placement = new([0, 1], new NumaTopology(new Dictionary<int, int> { [0] = 0, [1] = 1 }));
    private readonly WorkerPool _workers;
    private readonly RelayShared _shared;
    private readonly List<Relay> _relays = [];

    public RelayPortSideTests()
    {
        _workers = new WorkerPool(_placement.WorkerCpus, PollMode.Adaptive);
        _shared = new RelayShared(_placement, _workers, QueuePairs: 4);
    }

    private Relay NewRelay(CpuPair? pin = null)
    {
        var relay = new Relay(_relays.Count, _shared, pin);
        _relays.Add(relay);
        return relay;
    }

    [Fact]
    public void An_attached_port_is_added_and_its_direction_runs_on_a_pinned_worker()
    {
        var relay = NewRelay();
        Assert.Equal(PortState.Uninit, relay.PortState);
        Assert.True(relay.AttachPort(new FakePort("null"), "null"));

        var s = relay.Snapshot();
        Assert.Equal(PortState.Added, s.PortState);
        Assert.Equal(VmState.Uninit, s.VmState);
        Assert.Equal("null", s.Device);
        Assert.Equal(0, s.VfToVmCpu);
        Assert.Null(s.VmToVfCpu); // no VM: that side is down
        Assert.Equal("0", WorkerAffinity(relay, s.VfToVmCpu!.Value));
        Assert.Equal(CpuPlacement.VfToVmWeight, _placement.LoadOf(0));
    }

    [Fact]
    public void A_second_port_is_refused_and_a_detach_releases_everything()
    {
        var relay = NewRelay();
        var port = new FakePort("null");
        relay.AttachPort(port, "null");
        var other = new FakePort("tap:x");
        Assert.False(relay.AttachPort(other, "tap:x"));
        Assert.Equal("null", relay.DeviceKey);

        Assert.True(relay.DetachPort());
        Assert.True(port.Disposed);
        var s = relay.Snapshot();
        Assert.Equal(PortState.Uninit, s.PortState);
        Assert.Null(s.Device);
        Assert.Null(s.VfToVmCpu);
        Assert.Equal(0, _placement.LoadOf(0));
        Assert.True(relay.AttachPort(other, "tap:x")); // free again
    }

    [Fact]
    public void A_direction_moves_to_another_workers_cpu_and_back_to_the_rule_when_re_established()
    {
        var relay = NewRelay();
        relay.AttachPort(new FakePort("null"), "null");
        Assert.True(relay.MoveDirection(Direction.VfToVm, 1));
        var moved = relay.Snapshot();
        Assert.Equal(1, moved.VfToVmCpu);
        Assert.Equal("1", WorkerAffinity(relay, 1));
        Assert.Equal(0, _placement.LoadOf(0));
        Assert.Equal(CpuPlacement.VfToVmWeight, _placement.LoadOf(1));

        relay.DetachPort();
        relay.AttachPort(new FakePort("null"), "null");
        Assert.Equal(0, relay.Snapshot().VfToVmCpu);
    }

    [Fact]
    public void A_move_is_refused_to_a_cpu_without_a_worker_or_for_a_side_that_is_down()
    {
        var relay = NewRelay();
        Assert.False(relay.MoveDirection(Direction.VfToVm, 1)); // no port
        relay.AttachPort(new FakePort("null"), "null");
        Assert.False(relay.MoveDirection(Direction.VfToVm, 5)); // not a worker CPU
        Assert.False(relay.MoveDirection(Direction.VmToVf, 1)); // no VM
        Assert.Equal(0, relay.Snapshot().VfToVmCpu);
    }

    [Fact]
    public void A_pin_places_the_direction_and_gives_the_relay_its_vm_to_vf_cpus_node()
    {
        var relay = NewRelay(new CpuPair(VfToVmCpu: 1, VmToVfCpu: 1));
        Assert.Equal(1, relay.NumaNode);
        relay.AttachPort(new FakePort("null"), "null");
        Assert.Equal(1, relay.Snapshot().VfToVmCpu);
    }

    [Fact]
    public void Without_a_pin_the_ports_numa_node_is_preferred()
    {
        var relay = NewRelay();
        Assert.Equal(-1, relay.NumaNode);
        relay.AttachPort(new FakePort("null", numaNode: 1), "null");
        Assert.Equal(1, relay.NumaNode);
        Assert.Equal(1, relay.Snapshot().VfToVmCpu); // CPU 0 is idle, but on node 0
    }

    [Fact]
    public void Sixty_four_relays_on_two_cpus_share_two_workers()
    {
        for (int i = 0; i < 64; i++) NewRelay().AttachPort(new FakePort($"null{i}"), $"null{i}");
        Assert.Equal(2, _workers.Started.Count);
        var threads = _relays.Select(r => r.Snapshot()).GroupBy(s => s.VfToVmCpu).ToDictionary(g => g.Key!.Value, g => g.Count());
        Assert.Equal(32, threads[0]);
        Assert.Equal(32, threads[1]);
    }

    /// <summary>The affinity of the worker serving the relay's VF→VM direction, once it has pinned itself.</summary>
    private static string WorkerAffinity(Relay relay, int expectedCpu)
    {
        string affinity = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; Thread.Sleep(10))
        {
            int? tid = relay.Snapshot().VfToVmThread;
            if (tid is not > 0) continue;
            affinity = File.ReadLines($"/proc/self/task/{tid}/status")
                .Single(l => l.StartsWith("Cpus_allowed_list:", StringComparison.Ordinal)).Split(':')[1].Trim();
            if (affinity == expectedCpu.ToString()) break;
        }
        return affinity;
    }

    /// <summary>
    /// The kernel's receive drops of each port queue count against that queue from when the port
    /// is attached, up to the last read before it closes, and go on adding up with the next port.
    /// </summary>
    [Fact]
    public void A_ports_kernel_receive_drops_count_per_queue_and_outlive_the_port()
    {
        var relay = NewRelay();
        var queue0 = new FakePort("p") { RxMissed = 5 };
        var queue1 = new FakePort("p queue 1") { RxMissed = 0 };
        var port = new FakePort("p") { Queues = [queue0, queue1] };
        relay.AttachPort(port, "p");

        var s = relay.Snapshot().VfToVm;
        Assert.Equal(5, s.DroppedRxMissed);
        Assert.Equal([new QueueDrops(0, 0, 0, 0, 0, RxMissed: 5)], s.ByQueue);

        queue0.RxMissed = 7;
        queue1.RxMissed = 4;
        Assert.True(relay.DetachPort());
        queue0.Dispose();
        queue1.Dispose();
        s = relay.Snapshot().VfToVm;
        Assert.Equal(11, s.DroppedRxMissed);
        Assert.Equal([new QueueDrops(0, 0, 0, 0, 0, RxMissed: 7), new QueueDrops(1, 0, 0, 0, 0, RxMissed: 4)], s.ByQueue);

        relay.AttachPort(new FakePort("q") { RxMissed = 2 }, "q");
        Assert.Equal(13, relay.Snapshot().VfToVm.DroppedRxMissed);
    }

    public void Dispose()
    {
        foreach (var r in _relays) r.Dispose();
        _workers.Dispose();
    }
}
