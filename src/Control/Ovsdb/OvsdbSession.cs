using System.Text.Json;
using VirtioForwarder.Control.LegacyPorts;

namespace VirtioForwarder.Control.Ovsdb;

/// <summary>
/// One connection's worth of JSON-RPC (RFC 7047 §4): the reply to our monitor request, "update"
/// notifications, and the server's "echo" requests, which must be answered or the server drops us.
/// Anything malformed throws <see cref="JsonException"/> (or <see cref="OvsdbException"/> when the
/// server refuses the monitor), and the monitor reconnects.
/// </summary>
public sealed class OvsdbSession(InterfaceTable table, Action<PortChange> apply)
{
    /// <summary>Handles one message; returns the reply to send, if it needs one.</summary>
    public byte[]? Handle(JsonElement message)
    {
        if (message.TryGetProperty("method", out var method))
            return HandleRequest(method.ValueKind == JsonValueKind.String ? method.GetString() : null, message);
        if (message.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.Number &&
            id.TryGetInt32(out int n) && n == OvsdbMessages.MonitorRequestId)
            HandleMonitorReply(message);
        return null;
    }

    private byte[]? HandleRequest(string? method, JsonElement message)
    {
        message.TryGetProperty("id", out var id);
        var parameters = message.TryGetProperty("params", out var p) ? p : default;
        switch (method)
        {
            case "echo":
                return OvsdbMessages.EchoReply(id, parameters);
            case "update":
                if (parameters.ValueKind != JsonValueKind.Array || parameters.GetArrayLength() != 2)
                    throw new JsonException("an update notification without [monitor-id, table-updates]");
                if (parameters[0].ValueKind == JsonValueKind.String && parameters[0].ValueEquals(OvsdbMessages.MonitorId))
                    Run(table.Apply(parameters[1]));
                return null;
            default:
                // Notifications (id null) need no answer; requests get an error rather than silence.
                return id.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null
                    ? null
                    : OvsdbMessages.ErrorReply(id, $"unknown method {method}");
        }
    }

    private void HandleMonitorReply(JsonElement message)
    {
        if (message.TryGetProperty("error", out var error) && error.ValueKind != JsonValueKind.Null)
            throw new OvsdbException($"the server refused the monitor: {error.GetRawText()}");
        if (!message.TryGetProperty("result", out var result))
            throw new JsonException("a monitor reply without a result");
        Run(table.Reset(result));
    }

    private void Run(IReadOnlyList<PortChange> changes)
    {
        foreach (var change in changes) apply(change);
    }
}

/// <summary>The server answered, but not as we need (e.g. no Open_vSwitch database).</summary>
public sealed class OvsdbException(string message) : Exception(message);
