using System.Text.Json;
using VirtioForwarder.Control.LegacyPorts;
using VirtioForwarder.Control.Ovsdb;

namespace VirtioForwarder.Control.Tests.Ovsdb;

public sealed class InterfaceTableTests
{
    private readonly InterfaceTable _table = new();

    private static string Row(string name, params (string Key, string Value)[] ids) =>
        $$"""{"name":"{{name}}","external_ids":["map",[{{string.Join(",", ids.Select(i => $"[\"{i.Key}\",\"{i.Value}\"]"))}}]]}""";

    private static JsonElement Updates(string rows) => JsonDocument.Parse("{\"Interface\":{" + rows + "}}").RootElement;

    private static string[] Text(IEnumerable<PortChange> changes) => changes.Select(c => c.ToString()).ToArray();

    private string[] Reset(string rows) => Text(_table.Reset(Updates(rows)));

    private string[] Apply(string rows) => Text(_table.Apply(Updates(rows)));

    [Fact]
    public void Initial_rows_with_our_keys_are_added_others_ignored()
    {
        var changes = Reset($$"""
            "u1":{"new":{{Row("veth1", ("virtio_forwarder_relay", "3"))}}},
            "u2":{"new":{{Row("br0")}}},
            "u3":{"new":{{Row("eth4", ("virtio_forwarder", "1"), ("other", "x"))}}},
            "u4":{"new":{{Row("eth5", ("virtio_relay", "5"))}}}
            """);
        Assert.Equal(["add veth1 (relay 3)", "add eth4", "add eth5"], changes);
        Assert.Equal(4, _table.Count);
    }

    [Fact]
    public void Insert_modify_and_delete_become_adds_and_removes()
    {
        Reset("");
        Assert.Equal(["add veth1 (relay 3)"], Apply($$""" "u1":{"new":{{Row("veth1", ("virtio_forwarder_relay", "3"))}}} """));
        // A change of another key changes nothing.
        Assert.Empty(Apply($$""" "u1":{"old":{"external_ids":["map",[["virtio_forwarder_relay","3"]]]},"new":{{Row("veth1", ("virtio_forwarder_relay", "3"), ("x", "y"))}}} """));
        // A new relay: removed from the old one first.
        Assert.Equal(["remove veth1 (relay 3)", "add veth1 (relay 4)"],
            Apply($$""" "u1":{"old":{"external_ids":["map",[]]},"new":{{Row("veth1", ("virtio_forwarder_relay", "4"))}}} """));
        Assert.Equal(["remove veth1 (relay 4)"], Apply($$""" "u1":{"old":{{Row("veth1", ("virtio_forwarder_relay", "4"))}}} """));
        Assert.Equal(0, _table.Count);
    }

    [Fact]
    public void A_modify_may_carry_only_some_columns()
    {
        Reset($$""" "u1":{"new":{{Row("veth1")}}} """);
        Assert.Equal(["add veth1 (relay 2)"], Apply(""" "u1":{"new":{"external_ids":["map",[["virtio_forwarder_relay","2"]]]}} """));
    }

    [Fact]
    public void In_one_update_removes_come_before_adds()
    {
        Reset($$""" "u1":{"new":{{Row("veth1", ("virtio_forwarder_relay", "1"))}}} """);
        var changes = Apply($$"""
            "u2":{"new":{{Row("veth2", ("virtio_forwarder_relay", "1"))}}},
            "u1":{"old":{{Row("veth1", ("virtio_forwarder_relay", "1"))}}}
            """);
        Assert.Equal(["remove veth1 (relay 1)", "add veth2 (relay 1)"], changes);
    }

    [Fact]
    public void A_relay_id_that_is_not_a_number_leaves_the_row_out()
    {
        Assert.Empty(Reset($$""" "u1":{"new":{{Row("veth1", ("virtio_forwarder_relay", "x3"))}}} """));
        Assert.Empty(Apply($$""" "u1":{"new":{{Row("veth1", ("virtio_forwarder_relay", "-1"))}}} """));
    }

    [Fact]
    public void A_reset_after_reconnecting_removes_what_went_and_adds_what_came()
    {
        Reset($$"""
            "u1":{"new":{{Row("veth1", ("virtio_forwarder_relay", "1"))}}},
            "u2":{"new":{{Row("veth2", ("virtio_forwarder_relay", "2"))}}}
            """);
        var changes = Reset($$"""
            "u2":{"new":{{Row("veth2", ("virtio_forwarder_relay", "2"))}}},
            "u3":{"new":{{Row("veth3", ("virtio_forwarder_relay", "3"))}}}
            """);
        Assert.Equal(["remove veth1 (relay 1)", "add veth3 (relay 3)"], changes);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("""{"Interface":[]}""")]
    [InlineData("""{"Interface":{"u1":{"new":{"name":"x","external_ids":{"k":"v"}}}}}""")]
    [InlineData("""{"Interface":{"u1":{"new":{"name":"x","external_ids":["map",[["k",1]]]}}}}""")]
    public void Malformed_updates_are_errors(string json) =>
        Assert.ThrowsAny<JsonException>(() => _table.Apply(JsonDocument.Parse(json).RootElement));
}
