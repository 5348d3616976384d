using System.Text.Json;

namespace VirtioForwarder.Control.Ovsdb;

/// <summary>The JSON-RPC messages the monitor sends (RFC 7047 §4.1.5 monitor, §4.1.11 echo).</summary>
public static class OvsdbMessages
{
    public const string Database = "Open_vSwitch";

    /// <summary>The monitor's id, which every "update" notification repeats as its first parameter.</summary>
    public const string MonitorId = "virtio-forwarder";

    /// <summary>The request id of our one request.</summary>
    public const int MonitorRequestId = 0;

    /// <summary>
    /// monitor Open_vSwitch, Interface columns name and external_ids: the reply holds every row
    /// ("initial"), then the server notifies insertions, modifications and deletions.
    /// </summary>
    public static byte[] Monitor() => Write(w =>
    {
        w.WriteString("method", "monitor");
        w.WriteStartArray("params");
        w.WriteStringValue(Database);
        w.WriteStringValue(MonitorId);
        w.WriteStartObject();
        w.WriteStartObject(InterfaceTable.TableName);
        w.WriteStartArray("columns");
        w.WriteStringValue("name");
        w.WriteStringValue("external_ids");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteNumber("id", MonitorRequestId);
    });

    /// <summary>The reply to the server's "echo" (its inactivity probe): the same params, the same id.</summary>
    public static byte[] EchoReply(JsonElement id, JsonElement parameters) => Reply(id, w =>
    {
        w.WritePropertyName("result");
        parameters.WriteTo(w);
        w.WriteNull("error");
    });

    /// <summary>The reply to a request we do not serve.</summary>
    public static byte[] ErrorReply(JsonElement id, string error) => Reply(id, w =>
    {
        w.WriteNull("result");
        w.WriteString("error", error);
    });

    private static byte[] Reply(JsonElement id, Action<Utf8JsonWriter> body) => Write(w =>
    {
        body(w);
        w.WritePropertyName("id");
        id.WriteTo(w);
    });

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }
}
