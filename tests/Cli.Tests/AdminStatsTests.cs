using VirtioForwarder.Control.Admin;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Cli.Tests;

/// <summary><c>vfwdctl stats --control-socket</c> against a real admin channel.</summary>
public sealed class AdminStatsTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"vfwd-admin-{Guid.NewGuid():N}.ctl");
    private readonly AdminServer _server;

    public AdminStatsTests()
    {
        var vfToVm = new CountersSnapshot(10, 640, 6, 384, 1, 0, 0, 0,
            [new QueueDrops(0, 1, 0, 0, 0, RxMissed: 2), new QueueDrops(1, 0, 0, 0, 0, RxMissed: 1)], DroppedRxMissed: 3);
        var relay = new RelaySnapshot(0, "/tmp/x0.sock", "netdev:veth0", true, 2, 2, 1, 1, 100, 101, vfToVm, default);
        var worker = new WorkerLoad(1, BusyNs: 1_500_000_000, IdleNs: 500_000_000, SleepNs: 2_000_000_000, StalledNs: 0, Passes: 1234, Sleeps: 5);
        _server = new AdminServer(_path, () => [relay], () => [worker]);
    }

    public void Dispose() => _server.Dispose();

    [Fact]
    public void The_text_shows_the_ports_receive_drops_in_all_and_by_queue()
    {
        var result = Vfwdctl.Run("stats", "--control-socket", _path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("  vf->vm cpu 1: rx 10 pkts 640 B, tx 6 pkts 384 B, dropped: vm queue full 1, not connected 0, link down 0, oversize 0, port rx missed 3\n", result.Output);
        Assert.Contains("    queue 0 dropped: vm queue full 1, not connected 0, link down 0, oversize 0, port rx missed 2\n", result.Output);
        Assert.Contains("    queue 1 dropped: vm queue full 0, not connected 0, link down 0, oversize 0, port rx missed 1\n", result.Output);
    }

    [Fact]
    public void The_text_shows_where_each_workers_time_went()
    {
        var result = Vfwdctl.Run("stats", "--control-socket", _path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("worker cpu 1: busy 37.5 %, idle polling 12.5 %, sleeping 50.0 %, stalled 0.0 % of 4.0 s; 1234 passes, 5 sleeps\n", result.Output);
    }

    [Fact]
    public void The_json_names_the_workers_fields_in_snake_case()
    {
        var result = Vfwdctl.Run("stats", "--json", "--control-socket", _path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"workers\":[{\"cpu\":1,\"busy_ns\":1500000000,\"idle_ns\":500000000,\"sleep_ns\":2000000000,\"stalled_ns\":0,\"passes\":1234,\"sleeps\":5}]", result.Output);
    }
}
