using System.Diagnostics;
using System.Net.Sockets;
using VirtioForwarder.Control.Services;
using VirtioForwarder.Control.Services.Config;
using VirtioForwarder.Control.Services.CoreSched;
using VirtioForwarder.Control.Services.Hosting;
using VirtioForwarder.Control.Services.PortControl;
using VirtioForwarder.Control.Services.Stats;
using VirtioForwarder.Control.Tests.Protobuf;
using VirtioForwarder.Control.Tests.Zmq;
using VirtioForwarder.Control.Zmq;

namespace VirtioForwarder.Control.Tests.Services;

// The four services over real libzmq ipc:// (docs/control-contract.md §1), answering the bytes
// the upstream clients send (§2.5) with the bytes the C daemon answers.
public sealed class ServiceHostTests : IDisposable
{
    private readonly IpcEndpoint _endpoints = new();
    private readonly FakeRelays _relays = new();

    public void Dispose() => _endpoints.Dispose();

    private ControlServiceHost StartAll() => ControlServiceHost.Start(
    [
        (_endpoints.For("config"), new ConfigService(_relays)),
        (_endpoints.For("stats"), new StatsService(_relays)),
        (_endpoints.For("port_control"), new PortControlService(_relays)),
        (_endpoints.For("core_sched"), new CoreSchedService(_relays)),
    ]);

    private static string Ask(string endpoint, string requestHex)
    {
        using var client = new ZmqRequestSocket(endpoint, 5000);
        client.Send(WireBytes.Parse(requestHex));
        Assert.True(client.TryReceive(out byte[] reply), $"no reply from {endpoint}");
        return string.Join(' ', reply.Select(b => b.ToString("x2")));
    }

    [Fact]
    public void Each_service_answers_the_clients_vectors_with_upstreams_bytes()
    {
        using var host = StartAll();
        Assert.Equal("20 01", Ask(_endpoints.For("port_control"), "08 00 12 08 08 00 10 05 18 08 20 02 18 01 20 00"));
        Assert.Equal("0000:05:08.2", _relays.Slots[1].Device);
        // Relay 1 now has a device but no VM: not active, so both stats requests list nothing.
        Assert.Equal("08 00", Ask(_endpoints.For("stats"), "10 00 18 c8 01"));
        Assert.Equal("08 00", Ask(_endpoints.For("stats"), "10 00"));
        Assert.Equal("20 01 38 01 38 02", Ask(_endpoints.For("core_sched"), "08 01"));
        Assert.Equal("08 00", Ask(_endpoints.For("config"), ""));
    }

    [Fact]
    public void Garbage_and_empty_frames_get_each_services_error_reply()
    {
        using var host = StartAll();
        Assert.Equal("20 00", Ask(_endpoints.For("port_control"), ""));
        Assert.Equal("08 90 03", Ask(_endpoints.For("stats"), "ff"));
        Assert.Equal("20 00", Ask(_endpoints.For("core_sched"), "ff ff"));
        Assert.Equal("08 90 03", Ask(_endpoints.For("config"), "12 05"));
    }

    [Fact]
    public void A_bind_failure_names_the_endpoint()
    {
        string endpoint = _endpoints.For("missing/dir/stats");
        var e = Assert.Throws<ServiceStartException>(() =>
            ControlServiceHost.Start([(endpoint, new StatsService(_relays))]));
        Assert.Contains(endpoint, e.Message);
    }

    [Fact]
    public void A_second_host_does_not_take_a_live_ipc_endpoint_away()
    {
        using var first = StartAll();
        var e = Assert.Throws<ServiceStartException>(() =>
            ControlServiceHost.Start([(_endpoints.For("stats"), new StatsService(_relays))]));
        Assert.Contains("another process", e.Message);
        Assert.Equal("08 00", Ask(_endpoints.For("stats"), "10 00"));
    }

    [Fact]
    public void A_stale_socket_file_is_replaced()
    {
        // A socket file whose listener is gone, as a crashed daemon leaves it.
        using (var stale = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
            stale.Bind(new UnixDomainSocketEndPoint(_endpoints.PathOf("stats")));
        using var host = ControlServiceHost.Start([(_endpoints.For("stats"), new StatsService(_relays))]);
        Assert.Equal("08 00", Ask(_endpoints.For("stats"), "10 00"));
    }

    [Fact]
    public void Stopping_takes_about_the_receive_timeout()
    {
        var host = StartAll();
        var clock = Stopwatch.StartNew();
        host.Dispose();
        Assert.InRange(clock.ElapsedMilliseconds, 0, 3000);
    }

    // 1,000 seeded random or truncated frames per service: every one answered, and the service
    // still answers a good request afterwards.
    [Fact]
    public void Fuzzed_frames_are_all_answered_and_the_services_live_on()
    {
        using var host = StartAll();
        var random = new Random(20261123);
        (string Service, string Good, string GoodReply)[] cases =
        [
            ("port_control", "08 04 3a 06 2f 6e 6f 6e 65 2f", "20 00 28 02 32 12 76 69 72 74 69 6f 5f 71 75 65 72 79 5f 70 63 69 28 29"),
            ("stats", "10 00", "08 00"),
            ("core_sched", "08 01", "20 01 38 01 38 02"),
            ("config", "", "08 00"),
        ];
        foreach (var (service, good, goodReply) in cases)
        {
            using var client = new ZmqRequestSocket(_endpoints.For(service), 5000);
            byte[] valid = WireBytes.Parse(good);
            for (int i = 0; i < 1000; i++)
            {
                client.Send(FrameFuzz.Next(random, valid));
                Assert.True(client.TryReceive(out _), $"{service}: frame {i} got no reply");
            }
            Assert.Equal(goodReply, Ask(_endpoints.For(service), good));
        }
    }
}
