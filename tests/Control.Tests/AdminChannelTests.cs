using System.Net.Sockets;
using System.Text;
using VirtioForwarder.Control.Admin;
using VirtioForwarder.Relay;

namespace VirtioForwarder.Control.Tests;

public sealed class AdminChannelTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"vfwd-admin-{Guid.NewGuid():N}.ctl");
    private static readonly RelaySnapshot Relay0 = new(0, "/tmp/x0.sock", "null:64", true, 1, 1, 1, 1, 100, 101,
        new CountersSnapshot(10, 640, 9, 576, 1, 0, 0, 0, DroppedRxMissed: 4), new CountersSnapshot(5, 320, 5, 320, 0, 0, 0, 0));
    private readonly AdminServer _server;

    public AdminChannelTests() => _server = new AdminServer(_path, () => [Relay0]);

    public void Dispose() => _server.Dispose();

    [Fact]
    public void Stats_come_back_as_they_were_taken()
    {
        var reply = AdminClient.Parse(AdminClient.Request(_path, "stats"));
        Assert.True(reply.Ok);
        Assert.Equal(Relay0, Assert.Single(reply.Stats!.Relays));
    }

    [Fact]
    public void Field_names_are_snake_case_for_scripts()
    {
        string json = AdminClient.Request(_path, "stats");
        Assert.Contains("\"vf_to_vm\":{\"rx_packets\":10", json);
        Assert.Contains("\"socket_path\":\"/tmp/x0.sock\"", json);
        Assert.Contains("\"dropped_rx_missed\":4", json);
    }

    [Fact]
    public void Stats_carry_the_process_gc_counters()
    {
        var before = GcCounters.Sample();
        var gc = AdminClient.Parse(AdminClient.Request(_path, "stats")).Stats!.Gc!;
        Assert.True(gc.Gen0Collections >= before.Gen0Collections);
        Assert.True(gc.Gen2Collections <= gc.Gen1Collections && gc.Gen1Collections <= gc.Gen0Collections);
        Assert.True(gc.AllocatedBytes > before.AllocatedBytes);
        Assert.Contains("\"gc\":{\"gen0_collections\":", AdminClient.Request(_path, "stats"));
    }

    [Theory]
    [InlineData("{\"command\":\"reboot\"}", "unknown command 'reboot'")]
    [InlineData("not json", "malformed request")]
    [InlineData("", "malformed request")]
    public void Bad_requests_get_an_error_reply(string line, string error)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Connect(new UnixDomainSocketEndPoint(_path));
        socket.Send(Encoding.UTF8.GetBytes(line + "\n"));
        using var reader = new StreamReader(new NetworkStream(socket));
        var reply = AdminClient.Parse(reader.ReadLine()!);
        Assert.False(reply.Ok);
        Assert.Contains(error, reply.Error);
    }
}
