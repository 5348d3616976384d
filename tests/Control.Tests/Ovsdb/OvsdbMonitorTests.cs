using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using VirtioForwarder.Control.Ovsdb;

namespace VirtioForwarder.Control.Tests.Ovsdb;

/// <summary>The monitor against a real ovsdb-server: initial rows, updates, echo, a server restart.</summary>
public sealed class OvsdbMonitorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly ConcurrentQueue<string> _changes = new();

    private OvsdbMonitor Monitor(string path) =>
        new(path, c => _changes.Enqueue(c.ToString()), retry: TimeSpan.FromMilliseconds(200));

    private void WaitForChanges(params string[] expected)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (_changes.Count < expected.Length && DateTime.UtcNow < deadline) Thread.Sleep(20);
        Assert.Equal(expected, _changes.ToArray());
        _changes.Clear();
    }

    private static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            Thread.Sleep(20);
        }
    }

    [Fact]
    public void Rows_present_at_start_then_added_changed_and_deleted_become_changes()
    {
        using var server = new OvsdbServer();
        server.AddPort("vfwdt-a", "virtio_forwarder_relay", "1");
        server.AddPort("vfwdt-plain", "other", "x");
        using var monitor = Monitor(server.SocketPath);
        WaitForChanges("add vfwdt-a (relay 1)");

        server.AddPort("vfwdt-b", "virtio_forwarder", "1");
        WaitForChanges("add vfwdt-b");
        server.Vsctl("set", "Interface", "vfwdt-a", "external_ids:virtio_forwarder_relay=2");
        WaitForChanges("remove vfwdt-a (relay 1)", "add vfwdt-a (relay 2)");
        server.DeletePort("vfwdt-a");
        WaitForChanges("remove vfwdt-a (relay 2)");
        Assert.True(monitor.Connected);
    }

    [Fact]
    public void The_monitor_waits_for_a_server_and_resumes_after_a_restart()
    {
        using var server = new OvsdbServer();
        server.Stop();
        using var monitor = Monitor(server.SocketPath);
        Thread.Sleep(500);
        Assert.False(monitor.Connected);

        server.Start();
        WaitUntil(() => monitor.Connected);
        server.AddPort("vfwdt-a", "virtio_forwarder_relay", "1");
        WaitForChanges("add vfwdt-a (relay 1)");

        server.Stop();
        WaitUntil(() => !monitor.Connected);
        server.Start();
        WaitUntil(() => monitor.Connected);
        // The row was there before and is there still: nothing to do, and updates flow again.
        server.AddPort("vfwdt-b", "virtio_forwarder_relay", "2");
        WaitForChanges("add vfwdt-b (relay 2)");
    }

    [Fact]
    public void A_peer_that_sends_garbage_is_dropped_and_the_next_connection_works()
    {
        string directory = Directory.CreateTempSubdirectory("vfwd-ovsdb-").FullName;
        try
        {
            using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            listener.Bind(new UnixDomainSocketEndPoint(Path.Combine(directory, "db.sock")));
            listener.Listen(1);
            using var monitor = Monitor(Path.Combine(directory, "db.sock"));
            using (var first = listener.Accept())
            {
                first.Send(Encoding.UTF8.GetBytes("""{"id":0,"result":{"Interface":{"u":{"new":["not a row"]}}},"error":null}"""));
                // The monitor drops the connection: the read sees its end.
                first.ReceiveTimeout = 30_000;
                while (first.Receive(new byte[4096]) > 0) { }
            }
            using var second = listener.Accept();
            second.Send(Encoding.UTF8.GetBytes("""{"id":0,"result":{"Interface":{"u":{"new":{"name":"veth1","external_ids":["map",[["virtio_forwarder_relay","5"]]]}}}},"error":null}"""));
            WaitForChanges("add veth1 (relay 5)");
            Assert.True(monitor.Connected);
        }
        finally { Directory.Delete(directory, recursive: true); }
    }

    [Fact]
    public void Dispose_ends_the_monitor_promptly_while_it_waits_on_the_connection()
    {
        using var server = new OvsdbServer();
        var monitor = Monitor(server.SocketPath);
        WaitUntil(() => monitor.Connected);
        var started = DateTime.UtcNow;
        monitor.Dispose();
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(1));
    }
}
