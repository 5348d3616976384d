using System.Text;
using System.Text.Json;
using VirtioForwarder.Control.LegacyPorts;
using VirtioForwarder.Control.Ovsdb;

namespace VirtioForwarder.Control.Tests.Ovsdb;

public sealed class OvsdbSessionTests
{
    private readonly List<string> _changes = [];
    private readonly OvsdbSession _session;

    public OvsdbSessionTests() => _session = new OvsdbSession(new InterfaceTable(), c => _changes.Add(c.ToString()));

    private string? Handle(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return _session.Handle(doc.RootElement) is { } reply ? Encoding.UTF8.GetString(reply) : null;
    }

    [Fact]
    public void The_monitor_request_is_RFC_7047_monitor_of_two_Interface_columns()
    {
        using var doc = JsonDocument.Parse(OvsdbMessages.Monitor());
        Assert.Equal("""{"method":"monitor","params":["Open_vSwitch","virtio-forwarder",{"Interface":{"columns":["name","external_ids"]}}],"id":0}""",
            doc.RootElement.GetRawText());
    }

    [Fact]
    public void Echo_is_answered_with_its_params_and_id() =>
        Assert.Equal("""{"result":["x",1],"error":null,"id":"echo"}""", Handle("""{"method":"echo","params":["x",1],"id":"echo"}"""));

    [Fact]
    public void Unknown_requests_get_an_error_and_notifications_nothing()
    {
        Assert.Equal("""{"result":null,"error":"unknown method lock","id":7}""", Handle("""{"method":"lock","params":["l"],"id":7}"""));
        Assert.Null(Handle("""{"method":"locked","params":["l"],"id":null}"""));
    }

    [Fact]
    public void The_monitor_reply_and_updates_of_our_monitor_become_changes()
    {
        Handle("""{"id":0,"result":{"Interface":{"u1":{"new":{"name":"veth1","external_ids":["map",[["virtio_forwarder_relay","1"]]]}}}},"error":null}""");
        Handle("""{"method":"update","params":["virtio-forwarder",{"Interface":{"u1":{"old":{"name":"veth1","external_ids":["map",[["virtio_forwarder_relay","1"]]]}}}}],"id":null}""");
        Handle("""{"method":"update","params":["someone-else",{"Interface":{"u2":{"new":{"name":"veth2","external_ids":["map",[["virtio_forwarder_relay","2"]]]}}}}],"id":null}""");
        Assert.Equal(["add veth1 (relay 1)", "remove veth1 (relay 1)"], _changes);
    }

    [Theory]
    [InlineData("""{"method":7,"params":[],"id":1}""", """{"result":null,"error":"unknown method ","id":1}""")]
    [InlineData("""{"id":0.5,"result":{}}""", null)]
    [InlineData("""{"method":"update","params":[7,{}],"id":null}""", null)]
    public void Odd_but_well_formed_messages_are_answered_or_ignored(string message, string? reply) =>
        Assert.Equal(reply, Handle(message));

    [Theory]
    [InlineData("""{"method":"update","params":[7],"id":null}""")]
    [InlineData("""{"id":0,"result":{"Interface":{"u":{"new":{"name":"x","external_ids":[1,[]]}}}}}""")]
    [InlineData("""{"id":0,"result":{"Interface":{"u":{"new":{"name":"x","external_ids":["map",{}]}}}}}""")]
    [InlineData("""{"id":0}""")]
    [InlineData("""{"id":0,"result":{"Interface":{"u":{"new":5}}}}""")]
    public void Malformed_messages_are_JSON_errors_that_end_the_connection(string message) =>
        Assert.ThrowsAny<JsonException>(() => Handle(message));

    [Fact]
    public void A_refused_monitor_is_an_error() =>
        Assert.Throws<OvsdbException>(() => Handle("""{"id":0,"result":null,"error":{"error":"unknown database"}}"""));
}
